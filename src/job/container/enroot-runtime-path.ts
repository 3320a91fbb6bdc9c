// enroot runs `mkdir -p` on its runtime directory at every call, before it
// reads its command (enroot.in:106@v4.1.2): ENROOT_RUNTIME_PATH, else the
// site's enroot.conf, else ${XDG_RUNTIME_DIR:-/run}/enroot. It keeps nothing
// there: `enroot start` mounts a tmpfs of its own over it (runtime.sh). So what
// it needs is a directory that exists, or can be made, at each call for as long
// as the job runs. On compute nodes the default rarely is one: a batch job has
// no XDG_RUNTIME_DIR (mkdir /run/enroot fails unless root made it), or the
// login node's (missing here), or logind's (removed when the user's last login
// on the node ends, mid-job); `enroot version` passing once says nothing about
// the calls of later sessions. The job gives enroot a directory of its own
// (0700, on the node, removed when the job ends), unless the job's environment
// sets ENROOT_RUNTIME_PATH itself (env_setup, a site's module): that one is
// someone's choice, checked once and used as it is.
import fs from 'node:fs';
import path from 'node:path';
import { RuntimeFailed, explainingLines, runtimeFailed } from './failure.js';
import type { PrepareInput } from './runner.js';

export interface RuntimePath {
  release(): Promise<void>;
  /** The directories the job made (none when the environment names one). */
  paths: string[];
}

export async function enrootRuntimePath(input: PrepareInput): Promise<RuntimePath> {
  const { program, exec, env } = input;
  const chosen = env.ENROOT_RUNTIME_PATH;
  if (chosen) {
    const r = await exec(program, ['version']);
    if (r.exitCode === 0) return { release: async () => {}, paths: [] };
    if (!r.stderr.includes(chosen)) throw runtimeFailed('enroot version', r);
    throw new RuntimeFailed(
      'job-failed',
      `enroot cannot use ENROOT_RUNTIME_PATH=${chosen}, which the job's environment sets: ${explainingLines(r)}`,
      'remove ENROOT_RUNTIME_PATH from env_setup (or after the module that sets it: unset ENROOT_RUNTIME_PATH): the job then gives enroot a directory of its own',
    );
  }
  await sweepEndedJobs(input);
  const dir = fs.mkdtempSync(path.join(input.tmpDir, `slurmhop-enroot-${input.jobId}-`));
  // The job's environment is what every runtime call (and the session's sshd) inherits.
  env.ENROOT_RUNTIME_PATH = dir;
  return { release: async () => fs.rmSync(dir, { recursive: true, force: true }), paths: [dir] };
}

/**
 * What earlier jobs of the user left in the node's temporary directory: the
 * guard removes a job's directories when its supervisor dies, but where Slurm
 * kills the whole job at once (proctrack/cgroup) the guard goes with it. Only
 * names of this form, owned by the user, of jobs that Slurm no longer runs.
 */
async function sweepEndedJobs({ tmpDir, jobId, jobsAlive }: PrepareInput): Promise<void> {
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = fs.readdirSync(tmpDir);
  } catch {
    return;
  }
  const found = names
    .map((name) => ({ name, id: JOB_DIR.exec(name)?.[1] }))
    .filter((e): e is { name: string; id: string } => e.id !== undefined && e.id !== jobId && fs.lstatSync(path.join(tmpDir, e.name), { throwIfNoEntry: false })?.uid === uid);
  if (!found.length) return;
  const alive = await jobsAlive([...new Set(found.map((e) => e.id))]);
  for (const e of found) if (!alive.has(e.id)) fs.rmSync(path.join(tmpDir, e.name), { recursive: true, force: true });
}

/** slurmhop-enroot-<jobid>-XXXXXX: a job's runtime directory (and, during an import, its tools). */
const JOB_DIR = /^slurmhop-enroot-(\d+)-/;
