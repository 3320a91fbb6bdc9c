import type { Command } from '../command.js';
import { cancelCommand } from './cancel.js';
import { helpCommand } from './help.js';
import { hostkeyCommand } from './hostkey.js';
import { jobCommand } from './job.js';
import { listCommand } from './list.js';
import { proxyCommand } from './proxy.js';

export const COMMANDS: Command[] = [
  proxyCommand,
  listCommand,
  cancelCommand,
  hostkeyCommand,
  helpCommand(() => COMMANDS),
  jobCommand,
];
