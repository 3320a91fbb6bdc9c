// Start the user's unprivileged sshd on a free port and wait until it accepts
// connections (it answers with its SSH banner).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { execa } from 'execa';
import { SlurmhopError } from '../errors.js';
import { findOnPath, isExecutableFile } from '../fsutil.js';
import { bannerSoftware, connectTcp, readBanner } from '../state/index.js';
import type { SshdFeatures } from '../templates/index.js';

/** Where sshd usually is, on nodes and in images. */
export const SSHD_CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/usr/bin/sshd', '/usr/local/bin/sshd'];
const READY_TIMEOUT_MS = 20_000;
const PORT_ATTEMPTS = 5;
/** How long one readiness probe may wait for the connect, then for the banner. */
const BANNER_PROBE_MS = 2_000;

/** sshd re-executes itself, so it must be started by absolute path. */
export function findSshd(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) {
    if (isExecutableFile(configured)) return configured;
    throw new SlurmhopError('job-failed', `sshd = ${configured} (from the profile) is not an executable file on this node`);
  }
  const found = SSHD_CANDIDATES.find(isExecutableFile) ?? findOnPath('sshd', env);
  if (!found) {
    throw new SlurmhopError('job-failed', `no sshd on this compute node (looked in ${SSHD_CANDIDATES.join(', ')} and PATH)`, 'set sshd = /path/to/sshd in the profile');
  }
  return found;
}

/** Whether this sshd knows a config option (e.g. one added in a newer OpenSSH). */
export async function sshdAcceptsOption(sshd: string, hostKey: string, option: string): Promise<boolean> {
  const r = await execa(sshd, ['-t', '-f', '/dev/null', '-h', hostKey, '-o', option], { reject: false, stdin: 'ignore' });
  return r.exitCode === 0;
}

/** Which per-source controls this sshd knows: one `sshd -t` for OpenSSH 9.8+, two before. */
export async function sshdFeatures(sshd: string, hostKey: string): Promise<SshdFeatures> {
  if (await sshdAcceptsOption(sshd, hostKey, 'PerSourcePenalties=no')) return { perSourceMaxStartups: true, penalties: true };
  return { perSourceMaxStartups: await sshdAcceptsOption(sshd, hostKey, 'PerSourceMaxStartups=1'), penalties: false };
}

/** A port the OS considers free now; the bind in sshd may still lose a race, hence retries. */
export function pickFreePort(host = '0.0.0.0'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningSshd {
  process: ChildProcess;
  port: number;
  /** Settles when sshd exits, with the signal that ended it, if any. */
  exited: Promise<NodeJS.Signals | null>;
  /** Its software version, from the banner it answered with (`OpenSSH_9.2p1`). */
  software: string | undefined;
}

export interface StartOptions {
  sshd: string;
  /** argv (program first) that runs sshd in the foreground with a config; the node's own sshd by default. */
  command?: (config: string) => string[];
  /** Skip `sshd -t` on the node (a container's sshd is checked by its own start). */
  skipCheck?: boolean;
  listenAddress: string;
  logFile: string;
  /** Writes the sshd_config for a port and returns its path. */
  configFor: (port: number) => string;
}

export async function startSshd({ sshd, command, skipCheck, listenAddress, logFile, configFor }: StartOptions): Promise<RunningSshd> {
  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort(listenAddress);
    const config = configFor(port);
    if (!skipCheck) {
      const check = await execa(sshd, ['-t', '-f', config], { reject: false, stdin: 'ignore' });
      if (check.exitCode !== 0) {
        throw new SlurmhopError('job-failed', `sshd rejects its configuration ${config}:\n${check.stderr.trim()}`);
      }
    }
    const [program, ...args] = command ? command(config) : [sshd, '-D', '-e', '-f', config];
    const log = fs.openSync(logFile, 'a', 0o600);
    const child = spawn(program!, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.on('error', () => {}); // reported by waitReady while starting; later ones (a failed kill) change nothing
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const outcome = await waitReady(child, port, logFile);
    if (typeof outcome !== 'string') return { process: child, port, exited, software: bannerSoftware(outcome.banner) };
    const logText = fs.readFileSync(logFile, 'utf8');
    const lostRace = /Address already in use|Cannot bind any address/.test(logText.split('\n').slice(-5).join('\n'));
    if (lostRace && attempt < PORT_ATTEMPTS) continue;
    child.kill('SIGKILL');
    const last = logText.trimEnd().split('\n').slice(-10).join('\n');
    throw new SlurmhopError('job-failed', `sshd did not start (${outcome}); its log says:\n${last}`);
  }
}

/**
 * Ready = our sshd logged that it listens on the port AND the port answers with
 * an SSH banner (the log check rules out another process that won the port).
 * Else why not.
 */
function waitReady(child: ChildProcess, port: number, logFile: string): Promise<{ banner: string } | string> {
  return new Promise((resolve) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let done = false;
    const finish = (result: { banner: string } | string) => {
      if (done) return;
      done = true;
      child.off('exit', onExit);
      child.off('error', onError);
      resolve(result);
    };
    const onExit = (code: number | null, signal: string | null) => finish(`it exited with ${signal ?? `code ${code}`}`);
    const onError = (err: Error) => finish(`it could not be started: ${err.message}`);
    child.once('exit', onExit);
    child.once('error', onError);
    const probe = () => {
      if (done) return;
      if (Date.now() > deadline) return finish(`no answer on port ${port} within ${READY_TIMEOUT_MS / 1000}s`);
      if (!fs.readFileSync(logFile, 'utf8').includes(`port ${port}.`)) return void setTimeout(probe, 50);
      sshBanner(port).then((banner) => (banner ? finish({ banner }) : setTimeout(probe, 50)));
    };
    probe();
  });
}

/** The first line the port answers with, if it is an SSH banner. */
async function sshBanner(port: number): Promise<string | undefined> {
  let socket;
  try {
    socket = await connectTcp('127.0.0.1', port, BANNER_PROBE_MS);
    const line = (await readBanner(socket, BANNER_PROBE_MS)).toString('latin1').split('\n')[0]!;
    return line.startsWith('SSH-') ? line : undefined;
  } catch {
    return undefined;
  } finally {
    socket?.destroy();
  }
}
