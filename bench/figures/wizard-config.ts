// Warm connect through the config the wizard writes (what users run: the
// login alias with ControlMaster, so the ProxyCommand's own ssh rides the
// shared login connection), against the same config with nc as the
// ProxyCommand, and the executable's own start in the same rounds.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Laptop } from '../../test/e2e/harness.js';
import { writeWizardBlock } from '../../test/e2e/wizard-block.js';
import { currentContact } from '../lib/chain.js';
import { fmt, interleaveAll, mean, median, signed, timeCommand, timeExitAndClose, type Figure } from '../lib/measure.js';
import { versionOnce } from './binary.js';
import { warmFigure } from './connect.js';

const CLUSTER = 'lab'; // the login alias: not the prefix (ssh would merge the two sections)

export async function warmThroughWizardConfig(laptop: Laptop, rounds: number): Promise<Figure> {
  // A short directory: the ControlPath must fit a Unix socket address.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-'));
  try {
    const config = path.join(dir, 'config');
    const pinned = path.join(dir, 'known_hosts');
    // The job host key the harness pinned, under the alias the wizard's block uses.
    fs.writeFileSync(pinned, fs.readFileSync(laptop.pinned, 'utf8').replace(/^\S+/gm, `slurmhop-${CLUSTER}`));
    writeWizardBlock({ file: config, user: laptop.user, cluster: CLUSTER, prefix: 'bench', profiles: ['cpu'], jobKnownHosts: pinned, controlDir: dir });
    const ours = ['-F', config, 'bench-cpu', 'true'];
    await timeCommand('ssh', ours); // the job runs, the shared login connection is up
    const { node, port } = currentContact(laptop.user);
    const floor = ['-F', config, '-o', `ProxyCommand=ssh -F ${config} -T ${CLUSTER} nc ${node} ${port}`, 'bench-cpu', 'true'];
    // Until ssh exits (what a terminal waits for), and until its output pipes close
    // (what $(ssh ...) waits for: the ProxyCommand's multiplexing client keeps them
    // until the login node's side of the session has ended, relay and all).
    const exitOnly = { stdout: 'ignore', stderr: 'ignore' } as const;
    const oursPipes: Array<{ exit: number; closed: number }> = [];
    const floorPipes: typeof oursPipes = [];
    const [a, b, v] = await interleaveAll(rounds, [
      () => timeCommand('ssh', ours, exitOnly),
      () => timeCommand('ssh', floor, exitOnly),
      versionOnce,
      async () => (oursPipes.push(await timeExitAndClose('ssh', ours)), 0),
      async () => (floorPipes.push(await timeExitAndClose('ssh', floor)), 0),
    ]);
    await execa('ssh', ['-F', config, '-O', 'exit', CLUSTER], { reject: false });
    const figure = warmFigure('warm connect through the wizard\'s config (ControlMaster on the login alias), until ssh exits', 'the same config, ProxyCommand ssh <login alias> nc NODE PORT', { rounds, ours: a!, floor: b!, version: v! });
    // `$(ssh ...)` waits for the pipes: the login node's side must end as soon as nc's does.
    // What the relay decides is the time from ssh's exit to the pipes' close, in the same
    // runs (the connect before it varies by ±40 ms a round and is the figure above). It has
    // two modes, 0-15 ms and ~40 ms later (the login connection's delayed ACK, nc's too),
    // whose shares move a median by 40 ms: the mean is compared.
    const summary = (runs: typeof oursPipes) => {
      const tails = runs.map((r) => r.closed - r.exit);
      return { mean: mean(tails), median: median(tails), slow: tails.filter((t) => t > 0.025).length, closed: median(runs.map((r) => r.closed)) };
    };
    const o = summary(oursPipes);
    const f = summary(floorPipes);
    const extra = o.mean - f.mean;
    figure.result +=
      `; ssh's exit to its output pipes' close: mean ${fmt(o.mean)} (median ${fmt(o.median)}, ${o.slow} of ${rounds} in the 40 ms mode) against nc's ${fmt(f.mean)} (median ${fmt(f.median)}, ${f.slow} of ${rounds}): ${signed(extra)}` +
      `; until the pipes close, medians: ${fmt(o.closed)} against ${fmt(f.closed)} (${signed(o.closed - f.closed)})`;
    figure.target += '; from the exit to the pipes\' close ≤ nc\'s + 10 ms (means)';
    figure.met = figure.met && extra <= 0.01;
    figure.details = { ...figure.details, oursPipes, floorPipes };
    return figure;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
