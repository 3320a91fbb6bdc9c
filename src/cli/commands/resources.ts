import os from 'node:os';
import { loadConfig, type Config, type Profile } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { jobName, jobOutputPattern, stateDir } from '../../paths.js';
import { selfCommand } from '../../self.js';
import { estimateStart, execaRunner, gresLabel, partitionAvailability, type PartitionAvailability, type SlurmRunner, type StartEstimate } from '../../slurm/index.js';
import { renderJobScript, sbatchArgs } from '../../templates/index.js';
import { defineCommand, type Command } from '../../command.js';
import { formatTable, print } from '../../output.js';

export interface ResourcesDeps {
  run: SlurmRunner;
  config: () => Config;
  user: string;
  home: string;
  stateDir: string;
  remoteCommand: string[];
  now: () => number;
}

interface ProfileEstimate {
  name: string;
  /** The profile's partition, or the cluster's default one where it names none. */
  partition: string | undefined;
  defaultPartition: boolean;
  gres: string | undefined;
  /** Slurm's estimate (ISO local time), and on which nodes. */
  start: string | undefined;
  nodes: string | undefined;
  /** Slurm would start it within a minute. */
  startsNow: boolean;
  /** Why Slurm would not take it (its own words). */
  refused: string | undefined;
}

/** Within this of now, Slurm's estimate means "at once" (its clock and ours, its scheduling pass). */
const NOW_MS = 60_000;

export function resourcesCommandWith(deps: () => ResourcesDeps): Command {
  return defineCommand({
    name: 'resources',
    summary: 'what is free now: idle nodes, CPUs and GPUs per partition, and when each profile\'s job would start (--json)',
    usage: 'remote resources [--json]',
    options: { json: { type: 'boolean' } },
    async run({ positionals, values }) {
      if (positionals.length) throw usageError('remote resources takes no arguments', 'usage: remote resources [--json]');
      const d = deps();
      const config = d.config();
      // One sinfo and one squeue for the partitions; one test submission per profile, at the same time.
      const [partitions, estimates] = await Promise.all([partitionAvailability(d.run), Promise.all([...config.profiles.values()].map(async (p) => [p, await testSubmission(d, p)] as const))]);
      const defaultPartition = partitions.find((p) => p.isDefault)?.name;
      const profiles = estimates.map(([profile, found]) => estimate(profile, found, defaultPartition, d.now()));
      if (values.json) {
        // What is not known is null, not absent: one shape for the wizard and for scripts.
        print(JSON.stringify({ checkedAt: new Date(d.now()).toISOString(), partitions, profiles }, (_, v: unknown) => (v === undefined ? null : v), 2));
        return;
      }
      print(formatPartitions(partitions));
      print();
      print(profiles.length ? formatProfiles(profiles, d.now()) : `no profiles: add a [profile.NAME] section to ${config.file}`);
    },
  });
}

/** The profile's real sbatch options and job script, as a connect would submit them. */
function testSubmission(d: ResourcesDeps, profile: Profile): Promise<StartEstimate> {
  const args = sbatchArgs(profile, { jobName: jobName(profile.name), output: jobOutputPattern(d.stateDir), workdir: d.home });
  return estimateStart(d.run, args, renderJobScript({ profile, user: d.user, remote: d.remoteCommand }));
}

function estimate(profile: Profile, found: StartEstimate, defaultPartition: string | undefined, now: number): ProfileEstimate {
  const start = found.start ? Date.parse(found.start) : NaN;
  return {
    name: profile.name,
    partition: profile.partition ?? found.partition ?? defaultPartition,
    defaultPartition: profile.partition === undefined,
    gres: profile.gres,
    start: found.start,
    nodes: found.nodes,
    startsNow: !Number.isNaN(start) && start - now <= NOW_MS,
    refused: found.refused,
  };
}

function formatPartitions(partitions: PartitionAvailability[]): string {
  if (!partitions.length) return 'no partitions (sinfo lists none)';
  const rows = partitions.map((p) => [
    `${p.name}${p.isDefault ? '*' : ''}`,
    `${p.nodes.idle} of ${p.nodes.total}`,
    `${p.cpus.idle} of ${p.cpus.total}`,
    p.gres.map((g) => `${gresLabel(g)} ${g.free} of ${g.total}`).join(', ') || '-',
    `${p.pending} job${p.pending === 1 ? '' : 's'}`,
  ]);
  return formatTable([['PARTITION', 'IDLE NODES', 'FREE CPUS', 'FREE GRES', 'WAITING'], ...rows]);
}

function formatProfiles(profiles: ProfileEstimate[], now: number): string {
  const rows = profiles.map((p) => [
    p.name,
    `${p.partition ?? '?'}${p.defaultPartition ? '*' : ''}`,
    p.gres ?? '-',
    p.refused ? `no: ${p.refused}` : `${when(p, now)}${p.nodes ? `, on ${p.nodes}` : ''}`,
  ]);
  return formatTable([['PROFILE', 'PARTITION', 'GRES', 'WOULD START'], ...rows]);
}

/** "now", "in 25 min (19:31)", "in 3 h (22:05)", "in 2 d (2026-12-08 10:00)". */
function when(p: ProfileEstimate, now: number): string {
  if (p.startsNow) return 'now';
  const start = Date.parse(p.start ?? '');
  if (Number.isNaN(start)) return p.start ?? 'unknown';
  const minutes = Math.round((start - now) / 60_000);
  const [date, time] = p.start!.split('T') as [string, string];
  if (minutes < 60) return `in ${minutes} min (${time.slice(0, 5)})`;
  if (minutes < 24 * 60) return `in ${Math.round(minutes / 60)} h (${time.slice(0, 5)})`;
  return `in ${Math.round(minutes / 1440)} d (${date} ${time.slice(0, 5)})`;
}

export const resourcesCommand = resourcesCommandWith(() => ({
  run: execaRunner,
  config: () => loadConfig(),
  user: os.userInfo().username,
  home: process.env.HOME || os.homedir(),
  stateDir: stateDir(),
  remoteCommand: selfCommand(),
  now: () => Date.now(),
}));
