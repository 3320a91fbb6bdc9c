// The interactive-slurm way, side by side: its ProxyCommand asks Slurm on
// every connect (squeue for the job's node), then runs nc. Measured on the idle
// local controller, and on one that answers 50 ms later, as a busy site's does
// (a delaying relay in front of slurmctld, bench/lib/delay-proxy.mjs: this
// kernel has no tc netem). Ours asks Slurm nothing when a job runs.
import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import type { Laptop } from '../../test/e2e/harness.js';
import { clusterEnv, onNode, ROOT, waitFor } from '../../test/e2e/harness.js';
import { currentContact } from '../lib/chain.js';
import { fmt, interleave, median, pairedMedian, pairedMedianError, timeCommand, type Figure } from '../lib/measure.js';

const DELAY_MS = 50;
const DELAY_PORT = 6917;

export async function versusInteractiveSlurm(laptop: Laptop, rounds: number): Promise<Figure> {
  await timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
  const idle = await compare(laptop, rounds, undefined);
  const slow = await withSlowController(async (conf) => compare(laptop, rounds, conf));
  // The rounds' ratios (ours over theirs in the same round), median.
  const ratio = (r: { a: number[]; b: number[] }) => pairedMedian(r.a, r.b, (ours, theirs) => ours / theirs);
  const error = (r: { a: number[]; b: number[] }) => pairedMedianError(r.a, r.b, (ours, theirs) => ours / theirs).toFixed(3);
  return {
    figure: 'warm connect vs the interactive-slurm way (squeue + nc on every connect)',
    ours: `idle controller ${fmt(median(idle.a))}; controller +${DELAY_MS} ms ${fmt(median(slow.a))}`,
    floor: `theirs: ${fmt(median(idle.b))}; ${fmt(median(slow.b))}`,
    result: `${ratio(idle).toFixed(3)}×; ${ratio(slow).toFixed(3)}× (the rounds' ratios, median, standard errors ${error(idle)}, ${error(slow)}; of the medians ${(median(idle.a) / median(idle.b)).toFixed(3)}×, ${(median(slow.a) / median(slow.b)).toFixed(3)}×)`,
    target: '< 1× on both (faster)',
    met: ratio(idle) < 1 && ratio(slow) < 1,
    details: { rounds, delayMs: DELAY_MS, idle, slow },
  };
}

/** Ours against theirs, both asking the controller named by `conf` (or the cluster's own). */
async function compare(laptop: Laptop, rounds: number, conf: string | undefined) {
  const { node, port } = currentContact(laptop.user);
  const env = conf ? `SLURM_CONF=${conf} ` : '';
  const ours = ['-F', laptop.config, '-o', `ProxyCommand=ssh -F ${laptop.config} login ${env}.local/bin/remote proxy cpu`];
  const theirs = ['-F', laptop.config, '-o', `ProxyCommand=ssh -F ${laptop.config} login '${env}squeue --me --name=slurmhop-cpu --states=R -h -o %%N >/dev/null && exec nc ${node} ${port}'`];
  return interleave(
    rounds,
    () => timeCommand('ssh', [...ours, 'slurm-cpu', 'true']),
    () => timeCommand('ssh', [...theirs, 'slurm-cpu', 'true']),
  );
}

/** A copy of the cluster's Slurm config whose clients reach slurmctld through the delaying relay. */
async function withSlowController<T>(run: (conf: string) => Promise<T>): Promise<T> {
  const { dir } = clusterEnv();
  const etc = path.join(dir, 'etc-slow');
  fs.rmSync(etc, { recursive: true, force: true });
  fs.cpSync(path.join(dir, 'etc'), etc, { recursive: true });
  const conf = path.join(etc, 'slurm.conf');
  fs.writeFileSync(conf, `${fs.readFileSync(conf, 'utf8').replace(/^SlurmctldPort=.*\n/m, '')}SlurmctldPort=${DELAY_PORT}\n`);
  fs.chmodSync(etc, 0o755);
  const relay = onNode('login', 'root', [process.execPath, path.join(ROOT, 'bench/lib/delay-proxy.mjs'), String(DELAY_PORT), '10.77.0.1', '6817', String(DELAY_MS)]) as ResultPromise;
  let out = '';
  relay.stdout!.on('data', (d) => (out += d));
  try {
    await waitFor(() => out.includes('listening'), 10_000, 'the delaying relay in front of slurmctld');
    const probe = await timeCommand('bash', ['-c', `${path.join(ROOT, 'scripts/cluster')} exec login -- env SLURM_CONF=${conf} squeue -h >/dev/null`]);
    if (!(probe > DELAY_MS / 1000)) throw new Error(`squeue through the relay took ${fmt(probe)}: the relay is not in the way`);
    return await run(conf);
  } finally {
    relay.kill('SIGTERM');
    await relay.catch(() => {});
    await execa(path.join(ROOT, 'scripts/cluster'), ['exec', 'login', '--', 'pkill', '-f', 'delay-proxy.mjs'], { reject: false });
    fs.rmSync(etc, { recursive: true, force: true });
  }
}
