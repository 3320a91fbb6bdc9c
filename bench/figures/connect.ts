// Warm and cold connect times against their floors.
import fs from 'node:fs';
import { execa } from 'execa';
import type { Laptop } from '../../test/e2e/harness.js';
import { resetUser, stateOf } from '../../test/e2e/harness.js';
import { currentContact, floorArgs } from '../lib/chain.js';
import { fmt, interleave, interleaveAll, mean, median, pairedMedian, pairedMedianError, signed, timeCommand, type Figure } from '../lib/measure.js';
import { versionOnce } from './binary.js';

/**
 * Warm connect (the job runs) against the nc chain to the same sshd: the
 * target is the floor plus 10 ms (issue 24). The executable's own start
 * (`remote --version` of the single executable) is measured in the same
 * rounds, for context: the front of remote starts no Node on this path.
 */
export async function warmConnect(laptop: Laptop, rounds: number): Promise<Figure> {
  await timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']); // make sure the job runs
  const contact = currentContact(laptop.user);
  const [a, b, v] = await interleaveAll(rounds, [
    () => timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']),
    () => timeCommand('ssh', [...floorArgs(laptop, contact), 'slurm-cpu', 'true']),
    versionOnce,
  ]);
  return warmFigure('warm connect: ssh slurm-cpu true, job running (a new login connection each time)', 'ProxyCommand ssh login nc NODE PORT', { rounds, ours: a!, floor: b!, version: v! });
}

export function warmFigure(figure: string, floorName: string, r: { rounds: number; ours: number[]; floor: number[]; version: number[] }): Figure {
  const ours = median(r.ours);
  const floor = median(r.floor);
  const version = median(r.version);
  const margin = pairedMedian(r.ours, r.floor, (a, b) => a - b);
  const error = pairedMedianError(r.ours, r.floor, (a, b) => a - b);
  return {
    figure,
    ours: fmt(ours),
    floor: `${fmt(floor)} (${floorName}); the executable's start (--version) ${fmt(version)}`,
    result: `floor ${signed(margin)} (the rounds' differences, median, standard error ${fmt(error)}; of the medians ${signed(ours - floor)}, of the means ${signed(mean(r.ours) - mean(r.floor))})`,
    target: '≤ floor + 10 ms',
    met: margin <= 0.01,
    details: r,
  };
}

/** For context: what the bash peers do on a warm connect (one squeue, then nc). */
export async function warmVersusBashPeer(laptop: Laptop, rounds: number): Promise<Figure> {
  const contact = currentContact(laptop.user);
  const peer = ['-F', laptop.config, '-o', `ProxyCommand=ssh -F ${laptop.config} login 'squeue --me --noheader >/dev/null; exec nc ${contact.node} ${contact.port}'`];
  const r = await interleave(
    rounds,
    () => timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']),
    () => timeCommand('ssh', [...peer, 'slurm-cpu', 'true']),
  );
  const ratio = median(r.a) / median(r.b);
  return {
    figure: 'warm connect vs a bash peer (squeue + nc)',
    ours: fmt(median(r.a)),
    floor: `${fmt(median(r.b))} (ProxyCommand ssh login 'squeue; nc NODE PORT')`,
    result: `${ratio.toFixed(3)}×`,
    target: '≤ 1.00× (faster than the peers)',
    met: ratio <= 1.0,
    details: { rounds, ours: r.a, peer: r.b },
  };
}

/** The floor is the job's own time from sbatch to sshd ready, read from its status records. */
export async function coldConnect(laptop: Laptop, rounds: number): Promise<Figure> {
  const overheads: number[] = [];
  const totals: number[] = [];
  const floors: number[] = [];
  const warms: number[] = [];
  const beyondWarm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await resetUser(laptop.user);
    const total = await timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
    const { jobId } = currentContact(laptop.user);
    const dir = `${stateOf(laptop.user)}/jobs/${jobId}`;
    const record = JSON.parse(fs.readFileSync(`${dir}/submitted`, 'utf8'));
    const submitted = Date.parse(record.sbatchAt ?? record.at);
    const ready = fs.readFileSync(`${dir}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'ready');
    const floor = (Date.parse(ready.at) - submitted) / 1000;
    // The same connect again, now warm: what any connect pays (the login
    // connection, the job sshd's handshake, the command) whatever the job does.
    const warm = await timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
    totals.push(total);
    floors.push(floor);
    overheads.push(total - floor);
    warms.push(warm);
    beyondWarm.push(total - floor - warm);
  }
  const overhead = median(overheads);
  return {
    figure: 'cold connect: ssh slurm-cpu true, no job',
    ours: fmt(median(totals)),
    floor: `${fmt(median(floors))} (the job: submitted to sshd ready)`,
    result: `floor + ${fmt(overhead)} (a warm connect of that job: ${fmt(median(warms))}; beyond floor + warm: ${fmt(median(beyondWarm))})`,
    target: '≤ floor + 0.3 s',
    met: overhead <= 0.3,
    details: { rounds, totals, floors, overheads, warms, beyondWarm },
  };
}

/**
 * Both chains through `bash -c` so that the data source and sink are the same
 * processes. Each transfer is timed by its receiver, from its first bytes to
 * the end of the stream (the connect before it, the same in both chains, is
 * left out: it would pull both ratios towards 1).
 */
const RECEIVE = 'head -c 1 >/dev/null; s=$EPOCHREALTIME; cat >/dev/null; echo "$s $EPOCHREALTIME"';
const secondsOf = (out: string) => {
  const [s, e] = out.trim().split(' ').map(Number);
  if (!(e! > s!)) throw new Error(`throughput: the receiver said "${out.trim()}"`);
  return e! - s!;
};

export async function throughput(laptop: Laptop, bytes: number, rounds: number): Promise<Figure> {
  await execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
  const contact = currentContact(laptop.user);
  const ours = `ssh -F ${laptop.config}`;
  const floor = `ssh ${floorArgs(laptop, contact).map((a) => `'${a}'`).join(' ')}`;
  const transfer = async (script: string) => secondsOf((await execa('bash', ['-c', script], { stdin: 'ignore' })).stdout);
  const up = (ssh: string) => () => transfer(`head -c ${bytes} /dev/zero | ${ssh} slurm-cpu '${RECEIVE}'`);
  const down = (ssh: string) => () => transfer(`${ssh} slurm-cpu 'head -c ${bytes} /dev/zero' | { ${RECEIVE}; }`);
  const u = await interleave(rounds, up(ours), up(floor));
  const d = await interleave(rounds, down(ours), down(floor));
  const mib = bytes / 2 ** 20;
  const rate = (s: number) => `${(mib / s).toFixed(0)} MiB/s`;
  // The rounds' ratios (the same round's nc time over ours), median.
  const upRatio = pairedMedian(u.b, u.a, (nc, ours) => nc / ours);
  const downRatio = pairedMedian(d.b, d.a, (nc, ours) => nc / ours);
  const worst = Math.min(upRatio, downRatio);
  return {
    figure: `throughput, ${mib} MiB each way, ${rounds} rounds (first byte to the end)`,
    ours: `up ${rate(median(u.a))}, down ${rate(median(d.a))}`,
    floor: `up ${rate(median(u.b))}, down ${rate(median(d.b))} (nc chain)`,
    result: `up ${upRatio.toFixed(3)}×, down ${downRatio.toFixed(3)}×`,
    target: '≥ 0.98×',
    met: worst >= 0.98,
    details: { bytes, rounds, up: u, down: d },
  };
}
