export type { ContainerSettings } from './settings.js';
