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
import { fmt, interleaveAll, mean, median, timeCommand, timeExitAndClose, type Figure } from '../lib/measure.js';
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
    const tail = (runs: typeof oursPipes) => runs.map((r) => r.closed - r.exit);
    const slow = (runs: typeof oursPipes) => tail(runs).filter((t) => t > 0.025).length;
    const extra = mean(tail(oursPipes)) - mean(tail(floorPipes));
    const total = median(oursPipes.map((r) => r.closed)) - median(floorPipes.map((r) => r.closed));
    figure.result +=
      `; ssh's exit to its output pipes' close: mean ${fmt(mean(tail(oursPipes)))} (median ${fmt(median(tail(oursPipes)))}, ${slow(oursPipes)} of ${rounds} in the 40 ms mode) against nc's ${fmt(mean(tail(floorPipes)))} (median ${fmt(median(tail(floorPipes)))}, ${slow(floorPipes)} of ${rounds}): ${extra < 0 ? '−' : '+'} ${fmt(Math.abs(extra))}` +
      `; until the pipes close, medians: ${fmt(median(oursPipes.map((r) => r.closed)))} against ${fmt(median(floorPipes.map((r) => r.closed)))} (${total < 0 ? '−' : '+'} ${fmt(Math.abs(total))})`;
    figure.target += '; from the exit to the pipes\' close ≤ nc\'s + 10 ms (means)';
    figure.met = figure.met && extra <= 0.01;
    figure.details = { ...figure.details, oursPipes, floorPipes };
    return figure;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
