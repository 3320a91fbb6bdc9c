// Everything a container session needs before its sshd starts: the runtime,
// the image made ready (imported or pulled once), the mounts, and a probe run
// that finds the image's sshd and environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SlurmhopError } from '../../errors.js';
import { isDirectory } from '../../fsutil.js';
import { containerGroupFile, locksDir } from '../../paths.js';
import { prepareApptainer } from './apptainer.js';
import { prepareEnroot } from './enroot.js';
import { containerSessionEnv } from './environment.js';
import { imageFileProblem, parseImage } from '../../config/index.js';
import { homeMount, missingSources, parseMount, type Mount } from './mounts.js';
import { preparePodman } from './podman.js';
import { probeImage, type ProbeResult } from './probe.js';
import { execaExec, type ContainerRun, type Exec } from './runner.js';
import { chooseRuntime, dropMissingRuntimeDir } from './runtime.js';
import type { ContainerSettings } from './settings.js';
import { CONTAINER_SLURM_BIN, parseLdd, slurmClientMounts } from './slurm-client.js';

export interface PreparedContainer {
  run: ContainerRun;
  probe: ProbeResult;
  /** The environment sessions get (before the SetEnv safety filter). */
  sessionEnv: NodeJS.ProcessEnv;
}

export interface ContainerDeps {
  env: NodeJS.ProcessEnv;
  stateDir: string;
  node: string;
  jobId: string;
  hostKey: string;
  sshd?: string | undefined;
  log: (message: string) => void;
  /** Which of these jobs Slurm still runs (all of them when it cannot tell). */
  jobsAlive: (ids: string[]) => Promise<Set<string>>;
  exec?: Exec;
  home?: string;
  tmpDir?: string;
}

export async function prepareContainer(settings: ContainerSettings, deps: ContainerDeps): Promise<PreparedContainer> {
  const exec = deps.exec ?? execaExec;
  const home = deps.home ?? os.homedir();
  const image = parseImage(settings.image, home);
  const problem = imageFileProblem(image);
  if (problem) throw new SlurmhopError('job-failed', `container image ${problem} on node ${deps.node}`, 'fix container = ... in the profile (paths must be on a filesystem the nodes share)');
  const found = chooseRuntime(settings, image, deps.env, deps.node);
  const mounts: Mount[] = [homeMount(home), ...jobTmpMount(deps.env, home), ...settings.mounts.map(parseMount)];
  const missing = missingSources(mounts);
  if (missing.length) throw new SlurmhopError('job-failed', `container_mounts: ${missing.join(', ')} does not exist on node ${deps.node}`, 'fix container_mounts in the profile');
  let extraEnv: Record<string, string> = {};
  if (settings.slurm) {
    const client = await slurmClientMounts(deps.env, async (file) => parseLdd((await exec('ldd', [file])).stdout));
    mounts.push(...client.mounts);
    extraEnv = client.env;
  }
  dropMissingRuntimeDir(deps.env, deps.log);
  const input = {
    program: found.program,
    mounts,
    exec,
    env: deps.env,
    jobId: deps.jobId,
    tmpDir: deps.tmpDir ?? os.tmpdir(),
    jobsAlive: deps.jobsAlive,
    cacheDir: path.join(deps.stateDir, 'containers'),
    locksDir: locksDir(deps.stateDir),
    log: deps.log,
  };
  const run = found.name === 'enroot' ? await prepareEnroot(image, input) : found.name === 'apptainer' ? await prepareApptainer(image, input) : await preparePodman(image, input);
  deps.log(`checking ${run.describe} for sshd${run.runtime === 'podman' ? ' (podman pulls the image first if it does not have it)' : ''}`);
  // A failed probe says nothing against the container itself: other jobs may be running in it.
  const probe = await probeImage(run, exec, { image: settings.image, sshd: deps.sshd, hostKey: deps.hostKey, name: `slurmhop-${deps.jobId}-probe` }).catch(async (err: unknown) => {
    await run.release?.();
    throw run.brokenHint && err instanceof SlurmhopError ? new SlurmhopError(err.kind, err.message, [err.hint, run.brokenHint].filter(Boolean).join('; '), err.details) : err;
  });
  if (probe.groupWithoutTty !== undefined) {
    // The session's runs read input.mounts when they start: sshd sees a group file without the unmapped tty group.
    const file = containerGroupFile(deps.stateDir, deps.jobId);
    fs.writeFileSync(file, probe.groupWithoutTty, { mode: 0o644 });
    mounts.push({ source: file, target: '/etc/group', readOnly: true, file: true, from: 'the container\'s /etc/group without its tty group (its gid is not mapped in the container)' });
    deps.log('the container maps no tty group: its sshd gets a group file without one, so ptys work');
  }
  if (settings.slurm) extraEnv.PATH = `${CONTAINER_SLURM_BIN}:${probe.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`;
  return { run, probe, sessionEnv: containerSessionEnv(deps.env, probe.env, extraEnv) };
}

/** A per-job TMPDIR (job_container/tmpfs, a prolog's scratch) must exist inside too: sessions and VS Code write there. */
function jobTmpMount(env: NodeJS.ProcessEnv, home: string): Mount[] {
  const dir = env.TMPDIR;
  if (!dir || !path.isAbsolute(dir) || dir === '/tmp' || dir.startsWith(`${home}/`)) return [];
  return isDirectory(dir) ? [{ source: dir, target: dir, readOnly: false, file: false, from: 'TMPDIR (the job\'s own)' }] : [];
}
