import type { Command } from '../../command.js';
import { allocCommand } from './alloc.js';
import { cancelCommand } from './cancel.js';
import { checkCommand } from './check.js';
import { cleanupCommand } from './cleanup.js';
import { doctorCommand } from './doctor.js';
import { helpCommand } from './help.js';
import { historyCommand } from './history.js';
import { hostkeyCommand } from './hostkey.js';
import { jobCommand } from './job.js';
import { knownHostsCommand } from './known-hosts.js';
import { listCommand } from './list.js';
import { proxyCommand } from './proxy.js';
import { resourcesCommand } from './resources.js';
import { sessionEndedCommand } from './session-ended.js';
import { shutdownWriteCommand } from './shutdown-write.js';
import { sshCommand } from './ssh.js';
import { gpuswapCommand, swapCommand } from './swap.js';
import { rollbackCommand } from './rollback.js';
import { updateCommand } from './update.js';

export const COMMANDS: Command[] = [
  proxyCommand,
  listCommand,
  cancelCommand,
  allocCommand,
  swapCommand,
  gpuswapCommand,
  sshCommand,
  historyCommand,
  doctorCommand,
  cleanupCommand,
  resourcesCommand,
  hostkeyCommand,
  knownHostsCommand,
  checkCommand,
  updateCommand,
  rollbackCommand,
  helpCommand(() => COMMANDS),
  jobCommand,
  sessionEndedCommand,
  shutdownWriteCommand,
];
