// One short run of the image before the session: does it have an sshd (and
// which OpenSSH options it knows), and what environment the image sets.
import { SlurmhopError } from '../../errors.js';
import type { SshdFeatures } from '../../templates/index.js';
import { SSHD_CANDIDATES } from '../sshd.js';
import { explainingLines, runtimeFailed } from './failure.js';
import type { ContainerRun, Exec, ExecResult } from './runner.js';

/** POSIX sh, so that any image with /bin/sh can answer. $1: sshd from the profile (or empty), $2: host key. */
export const PROBE_SCRIPT = `sshd=$1
if [ -z "$sshd" ]; then
  for p in ${SSHD_CANDIDATES.join(' ')}; do
    if [ -x "$p" ]; then sshd=$p; break; fi
  done
fi
if [ -z "$sshd" ] || [ ! -x "$sshd" ]; then echo "slurmhop-probe no-sshd"; exit 0; fi
echo "slurmhop-probe sshd $sshd"
if "$sshd" -t -f /dev/null -h "$2" -o PerSourcePenalties=no >/dev/null 2>&1; then echo "slurmhop-probe penalties"; fi
if "$sshd" -t -f /dev/null -h "$2" -o PerSourceMaxStartups=1 >/dev/null 2>&1; then echo "slurmhop-probe per-source"; fi
tty=$(grep '^tty:' /etc/group 2>/dev/null | cut -d: -f3)
if [ -n "$tty" ] && [ -r /proc/self/gid_map ]; then
  mapped=
  while read -r inside outside count; do
    if [ "$tty" -ge "$inside" ] && [ "$tty" -lt $((inside + count)) ]; then mapped=1; fi
  done </proc/self/gid_map
  if [ -z "$mapped" ]; then echo "slurmhop-probe tty-unmapped"; echo "slurmhop-probe group"; cat /etc/group; fi
fi
echo "slurmhop-probe env"
env`;

export interface ProbeResult {
  sshd: string;
  /** The per-source controls the sshd knows (PerSourceMaxStartups: 8.5+, PerSourcePenalties: 9.8+). */
  features: SshdFeatures;
  /** The image's environment as its processes see it. */
  env: Record<string, string>;
  /**
   * The container's /etc/group names a tty group whose gid its user namespace
   * does not map (Apptainer and enroot map the user alone): sshd's chown of a
   * pty to that group fails ("chown(/dev/pts/0, UID, 5) failed: Invalid
   * argument") and ends every session with a terminal. The group file then
   * (without that line) for the session's sshd: without a tty group, sshd
   * gives the pty to the user's own group, mode 0600.
   */
  groupWithoutTty?: string;
}

/** Podman pulls a missing image in this first run. */
const PROBE_TIMEOUT_MS = 3_600_000;

export async function probeImage(run: ContainerRun, exec: Exec, opts: { image: string; sshd?: string | undefined; hostKey: string; name: string }): Promise<ProbeResult> {
  const [program, ...args] = run.argv(['/bin/sh', '-c', PROBE_SCRIPT, 'slurmhop-probe', opts.sshd ?? '', opts.hostKey], opts.name);
  const r = await exec(program!, args, { timeoutMs: PROBE_TIMEOUT_MS });
  await run.remove?.(opts.name);
  return parseProbe(r, { ...opts, describe: run.describe });
}

export function parseProbe(r: ExecResult, opts: { image: string; sshd?: string | undefined; describe: string }): ProbeResult {
  const lines = r.stdout.split('\n');
  const marks = lines.filter((l) => l.startsWith('slurmhop-probe '));
  if (r.exitCode !== 0 || marks.length === 0) {
    if (/\/bin\/sh\b.*(not found|no such file)|(not found|no such file).*\/bin\/sh\b/i.test(r.stderr)) {
      throw new SlurmhopError('job-failed', `container image ${opts.image} has no /bin/sh: ${explainingLines(r)}`, 'slurmhop starts sshd in the image through /bin/sh; use an image with a shell');
    }
    // What the runtime said, as it said it: a runtime that refuses its arguments is not a bad image.
    throw runtimeFailed(`starting ${opts.describe} (image ${opts.image})`, r);
  }
  if (marks.includes('slurmhop-probe no-sshd')) {
    throw new SlurmhopError(
      'job-failed',
      opts.sshd ? `container image ${opts.image} has no sshd at ${opts.sshd} (the profile's sshd)` : `container image ${opts.image} has no sshd (looked for ${SSHD_CANDIDATES.join(', ')})`,
      'add OpenSSH\'s server to the image (Debian/Ubuntu: apt-get install -y openssh-server; RHEL-like: dnf install -y openssh-server), or set sshd = /path/in/image in the profile',
    );
  }
  const sshd = marks.find((l) => l.startsWith('slurmhop-probe sshd '))!.slice('slurmhop-probe sshd '.length);
  const envAt = lines.indexOf('slurmhop-probe env');
  const env: Record<string, string> = {};
  for (const line of lines.slice(envAt + 1)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  const features = { perSourceMaxStartups: marks.includes('slurmhop-probe per-source'), penalties: marks.includes('slurmhop-probe penalties') };
  const result: ProbeResult = { sshd, features, env };
  const groupAt = lines.indexOf('slurmhop-probe group');
  if (marks.includes('slurmhop-probe tty-unmapped') && groupAt >= 0 && groupAt < envAt) {
    result.groupWithoutTty = `${lines.slice(groupAt + 1, envAt).filter((l) => l && !l.startsWith('tty:')).join('\n')}\n`;
  }
  return result;
}
