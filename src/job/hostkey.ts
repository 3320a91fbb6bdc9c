// The user's persistent sshd host key: the same on every node and every job,
// so the laptop can pin it once (HostKeyAlias) while node and port change.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir } from '../fsutil.js';
import { hostKeyFile, locksDir } from '../paths.js';
import { withLock } from '../state/index.js';

/** Returns the private key's path, creating the key pair on first use. */
export async function ensureHostKey(state: string): Promise<string> {
  const key = hostKeyFile(state);
  if (!fs.existsSync(key)) {
    ensurePrivateDir(path.dirname(key));
    // Two jobs may start at once on different nodes: one creates, the other waits.
    await withLock(path.join(locksDir(state), 'hostkey.lock'), async () => {
      if (!fs.existsSync(key)) await generate(key);
    });
  }
  if ((fs.statSync(key).mode & 0o077) !== 0) fs.chmodSync(key, 0o600); // sshd refuses readable keys
  return key;
}

async function generate(key: string): Promise<void> {
  const tmpDir = fs.mkdtempSync(path.join(path.dirname(key), '.new-'));
  const tmpKey = path.join(tmpDir, 'key');
  try {
    const result = await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'slurmhop-job-host-key', '-f', tmpKey], {
      reject: false,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0) {
      throw new SlurmhopError('state', `ssh-keygen could not create the job host key: ${result.stderr || result.message}`);
    }
    // The public half first: whoever sees the private key may rely on both.
    fs.renameSync(`${tmpKey}.pub`, `${key}.pub`);
    fs.chmodSync(tmpKey, 0o600);
    fs.renameSync(tmpKey, key);
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}
