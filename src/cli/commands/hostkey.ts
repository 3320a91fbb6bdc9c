import fs from 'node:fs';
import { ensureHostKey } from '../../job/index.js';
import { stateDir } from '../../paths.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const hostkeyCommand = defineCommand({
  name: 'hostkey',
  summary: 'print the public host key of your sessions\' sshd (created on first use), to pin on the laptop',
  usage: 'remote hostkey',
  async run() {
    const key = await ensureHostKey(stateDir());
    print(fs.readFileSync(`${key}.pub`, 'utf8').trim());
  },
});
