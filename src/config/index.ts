export { loadConfig, parseConfig, getProfile, type Config } from './load.js';
export { PROFILE_NAME, PROFILE_DEFAULTS, CONTAINER_RUNTIMES, TRANSPORTS, isOneOf, type Profile, type Transport } from './profile.js';
export { splitShellWords } from './shell-words.js';
export { parseImage, enrootReference, dockerReference, containerImageProblem, imageFileProblem, enrootUnmountable, enrootHomeProblem, RUNTIMES_FOR_IMAGE, type ContainerRuntimeName, type Image } from './container-image.js';
export { redactCredentials, CREDENTIAL_HELP } from './update-settings.js';
export { slurmTimeSeconds } from './renew-settings.js';
