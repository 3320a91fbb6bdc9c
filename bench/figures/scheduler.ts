// Scheduler RPCs a connect costs, from slurmctld's own per-user counters (sdiag).
import { execa } from 'execa';
import type { Laptop } from '../../test/e2e/harness.js';
import { onNode, resetUser } from '../../test/e2e/harness.js';
import type { Figure } from '../lib/measure.js';

interface Rpcs {
  /** All RPCs by this user. */
  user: number;
  /** By message type (everyone's; nothing else runs during the bench), sdiag's own left out. */
  byType: Record<string, number>;
  seconds: number;
}

async function sdiag(user: string): Promise<Omit<Rpcs, 'seconds'>> {
  const text = String((await onNode('login', 'root', ['sdiag'])).stdout);
  const [, types = '', users = ''] = text.split(/Remote Procedure Call statistics by (?:message type|user)/);
  const byType: Record<string, number> = {};
  for (const m of types.matchAll(/^\s*(REQUEST_\w+)\s.*count:(\d+)/gm)) if (m[1] !== 'REQUEST_STATS_INFO') byType[m[1]!] = Number(m[2]);
  const line = users.split('\n').find((l) => l.trim().split(/\s+/)[0] === user);
  return { user: Number(/count:(\d+)/.exec(line ?? '')?.[1] ?? 0), byType };
}

async function rpcsOf(user: string, action: () => Promise<unknown>): Promise<Rpcs> {
  await onNode('login', 'root', ['sdiag', '--reset']);
  const start = Date.now();
  await action();
  const seconds = (Date.now() - start) / 1000;
  await new Promise((r) => setTimeout(r, 1000)); // the job's own start-up query
  return { ...(await sdiag(user)), seconds };
}

export async function schedulerRpcs(laptop: Laptop): Promise<Figure> {
  await resetUser(laptop.user);
  const ssh = () => execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
  const cold = await rpcsOf(laptop.user, ssh);
  const warm = await rpcsOf(laptop.user, ssh);
  const submits = cold.byType.REQUEST_SUBMIT_BATCH_JOB ?? 0;
  // Each poll is one REQUEST_JOB_INFO_SINGLE; the job itself asks once for its end time.
  const polls = Math.max(0, (cold.byType.REQUEST_JOB_INFO_SINGLE ?? 0) - 1);
  return {
    figure: 'scheduler RPCs per connect (sdiag)',
    ours: `warm ${warm.user}, cold ${cold.user} in ${cold.seconds.toFixed(1)} s`,
    floor: '-',
    result: `warm ${warm.user}; cold ${submits} submit, ${polls} poll(s)`,
    target: '0 warm; cold 1 submit + polls ≤ 1/s',
    met: warm.user === 0 && submits === 1 && polls <= Math.max(1, Math.ceil(cold.seconds)),
    details: { warm, cold },
  };
}
