// A laptop that ran the setup wizard against the local cluster (a home of its
// own, its ssh config in a file of its own), and the laptop command of the
// build (dist/laptop/slurmhop.cjs) run there, as a user's `slurmhop`.
import { execa, type Options } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { tempDirs } from '../helpers/tmp.js';
import { clusterEnv, ROOT } from './harness.js';

export const SLURMHOP = path.join(ROOT, 'dist/laptop/slurmhop.cjs');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface WizardLaptop {
  dir: string;
  home: string;
  sshConfig: string;
  /** The wizard's stderr: its steps. */
  wizard: string;
  env: Record<string, string>;
  slurmhop(args: string[], options?: Options): ReturnType<typeof execa>;
  /** Closes the login alias's shared connection. */
  dispose(): Promise<void>;
}

/** The wizard (from the checkout, with the build's executable), logging in with the user's test key; no VS Code, no final check. */
export async function wizardLaptop(user: string, tmp: ReturnType<typeof tempDirs>): Promise<WizardLaptop> {
  const cluster = clusterEnv();
  const dir = tmp();
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const sshConfig = path.join(dir, 'ssh_config');
  const env: Record<string, string> = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const key = path.join(cluster.keysDir, `${user}_ed25519`);
  const r = await execa(TSX, [path.join(ROOT, 'setup.ts'), '--yes', '--host', cluster.loginHost, '--port', cluster.loginPort, '--user', user, '--cluster', 'local', '--ssh-config', sshConfig, '--identity', key, '--accept-new-host-key', '--no-vscode', '--no-check'], {
    reject: false,
    env,
    extendEnv: false,
    cwd: dir,
    stdin: 'ignore',
    timeout: 280_000,
  });
  if (r.exitCode !== 0) throw new Error(`setup failed (exit ${r.exitCode}):\n${r.stderr}`);
  return {
    dir,
    home,
    sshConfig,
    wizard: String(r.stderr),
    env,
    slurmhop: (args, options = {}) => execa(process.execPath, [SLURMHOP, ...args], { reject: false, env, extendEnv: false, cwd: home, stdin: 'ignore', timeout: 280_000, ...options }),
    async dispose() {
      await execa('ssh', ['-F', sshConfig, '-O', 'exit', 'local'], { reject: false, env, extendEnv: false });
    },
  };
}

/** The laptop's ssh processes that use this laptop's config (what a command left running). */
export async function sshProcessesOf(l: WizardLaptop): Promise<string[]> {
  const ps = await execa('ps', ['-eo', 'pid=,stat=,args='], { reject: false });
  return String(ps.stdout)
    .split('\n')
    // The login alias's shared connection ("ssh: <socket> [mux]") stays, as after every command (ControlPersist).
    .filter((line) => line.includes(l.sshConfig) && /\bssh\b/.test(line) && !/^\s*\d+\s+Z/.test(line) && !/\[mux\]/.test(line));
}
