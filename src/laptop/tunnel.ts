// A port of the job's node forwarded to the laptop's loopback: `ssh -L` to
// the profile's host, so through the same chain as every session (the login
// alias's shared connection in its ProxyCommand, the job's pinned host key).
// The session runs a small sh script instead of -N: its first line arrives
// only after ssh has bound the local port (OpenSSH sets up -L before it opens
// the session), so it says when the forward is ready, on which node, and
// whether anything listens on the port there yet.
import type { ConfiguredCluster } from '../setup/index.js';
import { requireSshProgram } from '../setup/index.js';
import type { LaptopEnv, Started } from './env.js';
import { LOOPBACK } from './ports.js';
import { configArgs } from './ssh.js';

const TAG = 'slurmhop-forward:';

export interface TunnelEnds {
  host: string;
  remotePort: number;
  localPort: number;
}

export interface Tunnel {
  /** Resolves once the local port listens: the node, the job, and whether the remote port listens. */
  ready: Promise<{ node: string; jobId: string | undefined; listening: boolean } | undefined>;
  /** ssh's exit code, once it ends. */
  ended: Promise<number>;
  /** Ends the forward (and waits for ssh to go). */
  close(): Promise<number>;
}

/**
 * ssh's options for a session the laptop command holds: no multiplexing of
 * its own (a ControlMaster of the user's own for every host would make this
 * ssh a master that stays behind). `logLevel` INFO lets a forward's refused
 * connections through (OpenSSH logs them at INFO).
 */
export function holdArgs(env: LaptopEnv, c: ConfiguredCluster, logLevel: 'ERROR' | 'INFO' = 'ERROR'): string[] {
  return [...configArgs(env.laptop, c), '-T', '-o', `LogLevel=${logLevel}`, '-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
}

export function forwardScript(remotePort: number): string {
  const hex = remotePort.toString(16).toUpperCase().padStart(4, '0');
  // /proc/net/tcp: local address 127.0.0.1 (0100007F) or any (00000000) on the port, state 0A (LISTEN).
  return `slurmhop_forward() {
  trap '' PIPE INT
  listening=no
  grep -Eq '^ *[0-9]+: (0100007F|00000000):${hex} [0-9A-F]+:0000 0A ' /proc/net/tcp 2>/dev/null && listening=yes
  printf '${TAG} ready %s %s %s\\n' "$(uname -n)" "$listening" "\${SLURM_JOB_ID:-}"
  cat >/dev/null
}
slurmhop_forward; exit 0
`;
}

/** Starts the forward; `onError` gets ssh's own messages, told in the laptop's words where they are known. */
export function openTunnel(env: LaptopEnv, c: ConfiguredCluster, ends: TunnelEnds, onError: (line: string) => void): Tunnel {
  const ssh = requireSshProgram(env.laptop);
  let resolveReady: (v: Awaited<Tunnel['ready']>) => void = () => {};
  const ready = new Promise<Awaited<Tunnel['ready']>>((resolve) => (resolveReady = resolve));
  let node = 'the node';
  const child: Started = env.start(
    ssh,
    [...holdArgs(env, c, 'INFO'), '-o', 'ExitOnForwardFailure=yes', '-L', `${LOOPBACK}:${ends.localPort}:${LOOPBACK}:${ends.remotePort}`, ends.host, '/bin/sh', '-s'],
    {
      onStdout: (line) => {
        if (!line.startsWith(`${TAG} ready `)) return;
        const [n, listening, jobId] = line.slice(TAG.length + 7).split(' ');
        node = n || node;
        resolveReady({ node, jobId: jobId || undefined, listening: listening === 'yes' });
      },
      onStderr: (line) => onError(sshMessage(line, ends.remotePort, () => node)),
    },
  );
  child.write(forwardScript(ends.remotePort));
  void child.exited.then(() => resolveReady(undefined));
  return {
    ready,
    ended: child.exited,
    async close() {
      child.endInput();
      child.kill('SIGTERM');
      return child.exited;
    },
  };
}

/**
 * ssh's messages about the forward, in words that say what happened: a
 * connection the browser opened found nothing listening on the node; the
 * local port was taken after all.
 */
export function sshMessage(line: string, remotePort: number, node: () => string): string {
  if (/^channel \d+: open failed: connect failed: /.test(line)) {
    return `nothing answered on port ${remotePort} of ${node()} (127.0.0.1 there): ${line.replace(/^channel \d+: open failed: connect failed: /, '')}; start the program that listens there, then reload the page`;
  }
  return line;
}
