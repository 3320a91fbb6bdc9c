// The wizard's cluster-side scripts run for real by this machine's /bin/sh,
// in a home directory of the test's own: what a RemoteSession runs on the
// login node, without the login node. `limitBlocks` runs the script under
// `ulimit -f` with SIGXFSZ ignored, so a write past it fails as at a quota.
import { execa } from 'execa';
import fs from 'node:fs';
import type { RemoteSession } from '../../src/setup/remote-session.js';

export function localSession(home: string, options: { limitBlocks?: number } = {}): RemoteSession {
  const wrap = options.limitBlocks === undefined ? '' : `trap '' XFSZ; ulimit -f ${options.limitBlocks}; `;
  return {
    async sh(script, args = []) {
      const r = await execa('/bin/sh', ['-c', `${wrap}exec /bin/sh -s -- "$@"`, 'sh', ...args], { input: script, reject: false, env: { HOME: home, PATH: process.env.PATH }, extendEnv: false, cwd: home });
      return { code: r.exitCode ?? null, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    async upload(local, remote) {
      fs.copyFileSync(local, remote.startsWith('/') ? remote : `${home}/${remote}`);
    },
    async writeFile(remote, content, mode) {
      fs.writeFileSync(remote.startsWith('/') ? remote : `${home}/${remote}`, content, { mode });
    },
    end() {},
  };
}
