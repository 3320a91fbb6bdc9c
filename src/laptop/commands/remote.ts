// `slurmhop list|cancel|alloc|swap|gpuswap|history|doctor|cleanup|resources ...`: the
// login node's `remote` command, run through the cluster's login alias (its
// pinned host key, its ControlMaster), with a terminal when this one is one,
// and its exit code. Its hints are told in the laptop's words (hints.ts).
import { CLUSTER_OPTION, takeCluster, type LaptopCommand } from '../command.js';
import { runRemote } from '../ssh.js';

type Passed = [name: string, summary: string, usage: string, what: string, options: Array<[string, string]>, examples: string[]];

const PASSED: Passed[] = [
  ['list', 'your slurmhop jobs on the cluster (remote list)', '[--json]', 'Lists your slurmhop jobs: profile, state, node, time used and left, and why a pending one waits.', [['--json', 'the same as JSON']], ['slurmhop list']],
  ['cancel', 'cancel your slurmhop jobs (remote cancel)', '[<profile>|<jobid>|--all]', 'Cancels one of your slurmhop jobs (the only one, a profile\'s, or a job id), or all of them. Other jobs of yours are never touched.', [['--all', 'every slurmhop job of yours']], ['slurmhop cancel gpu', 'slurmhop cancel 4242', 'slurmhop cancel --all']],
  ['alloc', "get a profile's job ready now, connect later (remote alloc)", '<profile> [--no-wait]', 'Submits the profile\'s job (or finds the one running) and waits until its session is ready, with the same progress lines as a connect; "ssh <prefix>-<profile>" then lands at once.', [['--no-wait', 'return once the job is submitted']], ['slurmhop alloc gpu']],
  ['swap', 'move the current session to another profile (remote swap)', '<profile> [--fresh] [--keep] [--shell]', 'Moves your current session ("ssh <prefix>", VS Code on it) to another profile\'s job, then ends the old job.', [['--fresh', 'a new job even if one of that profile runs'], ['--keep', 'keep the old job'], ['--shell', 'open a shell on the new job']], ['slurmhop swap gpu', 'slurmhop swap cpu --keep']],
  ['gpuswap', 'move the current session to the gpu profile (remote gpuswap)', '[--fresh] [--keep] [--shell]', 'The same as "slurmhop swap gpu".', [['--fresh', 'a new job even if one runs'], ['--keep', 'keep the old job'], ['--shell', 'open a shell on the new job']], ['slurmhop gpuswap']],
  ['history', 'your past sessions and why they ended (remote history)', '[--json] [--limit N]', 'Your past sessions, newest first: job, profile, node, times, and why each ended.', [['--json', 'as JSON'], ['--limit N', 'at most N sessions (0: all)']], ['slurmhop history --limit 5']],
  ['doctor', 'check the setup on the login node (remote doctor)', '[--profile NAME]', 'Checks your setup on the login node (state directory, quota, config.ini, keys, Slurm, a test submission with sbatch --test-only that starts no job, updates) and prints the fix for each failure.', [['--profile NAME', 'test-submit this profile (default: each)']], ['slurmhop doctor']],
  ['cleanup', 'remove old VS Code servers and ended job directories (remote cleanup)', '[--dry-run]', 'Frees room in your home on the cluster: old VS Code server versions (the newest two stay) and the files of ended jobs.', [['--dry-run', 'only show what would go']], ['slurmhop cleanup --dry-run']],
  ['resources', "what is free now, and when each profile's job would start (remote resources)", '[--json]', 'Shows what is free on the cluster now: per partition the idle nodes, free CPUs and free GPUs (and other generic resources), and the jobs waiting there; per profile when its job would start (sbatch --test-only, which queues nothing), or why Slurm would not start it.', [['--json', 'as JSON']], ['slurmhop resources']],
];

export const remoteCommands: LaptopCommand[] = PASSED.map(([name, summary, usage, what, options, examples]) => ({
  name,
  summary,
  usage: `slurmhop ${name} ${usage} [--cluster NAME]`,
  help: { what: `${what}\nIt runs "remote ${name}" on the cluster's login node, through the login alias setup wrote.`, options: [...options, CLUSTER_OPTION], examples },
  async run(args, env) {
    const { cluster, rest } = takeCluster(args);
    return (await runRemote(env, cluster, [name, ...rest])).exitCode;
  },
}));
