import type { LaptopCommand } from '../command.js';
import { clustersCommand } from './clusters.js';
import { codeCommand } from './code.js';
import { configCommand } from './config.js';
import { forwardCommand } from './forward.js';
import { jupyterCommand } from './jupyter.js';
import { remoteCommands } from './remote.js';
import { setupCommand } from './setup.js';
import { uninstallCommand } from './uninstall.js';

export const LAPTOP_COMMANDS: LaptopCommand[] = [setupCommand, codeCommand, ...remoteCommands, jupyterCommand, forwardCommand, configCommand, clustersCommand, uninstallCommand];
