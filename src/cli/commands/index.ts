import type { Command } from '../command.js';
import { cancelCommand } from './cancel.js';
import { checkCommand } from './check.js';
import { helpCommand } from './help.js';
import { hostkeyCommand } from './hostkey.js';
import { jobCommand } from './job.js';
import { listCommand } from './list.js';
import { proxyCommand } from './proxy.js';
import { sessionEndedCommand } from './session-ended.js';
import { rollbackCommand } from './rollback.js';
import { updateCommand } from './update.js';

export const COMMANDS: Command[] = [
  proxyCommand,
  listCommand,
  cancelCommand,
  hostkeyCommand,
  checkCommand,
  updateCommand,
  rollbackCommand,
  helpCommand(() => COMMANDS),
  jobCommand,
  sessionEndedCommand,
];
