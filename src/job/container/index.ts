export type { ContainerSettings } from './settings.js';
export { prepareContainer, type PreparedContainer } from './prepare.js';
