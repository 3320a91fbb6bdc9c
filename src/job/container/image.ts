// The image kinds live with the config (the login node checks image files before submitting).
export { parseImage, enrootReference, dockerReference, type Image } from '../../config/container-image.js';
