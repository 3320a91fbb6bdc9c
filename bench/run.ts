// npm run bench: the performance figures, each a ratio or margin against a
// floor measured in the same run (interleaved), medians of rounds.
// Writes bench/results/<timestamp>.json and prints a table. Not a test: no
// figure fails the run; the table says which targets are met.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resetUser, ROOT } from '../test/e2e/harness.js';
import { prepareUser } from './lib/chain.js';
import type { Figure } from './lib/measure.js';
import { downloadSize, versionStartup } from './figures/binary.js';
import { warmBreakdown } from './figures/breakdown.js';
import { coldConnect, throughput, warmConnect } from './figures/connect.js';
import { connectsOnOneJob, simultaneousConnects } from './figures/concurrency.js';
import { warmWithManyOldJobs } from './figures/many-jobs.js';
import { loginMemory } from './figures/memory.js';
import { versusInteractiveSlurm } from './figures/peer.js';
import { schedulerRpcs } from './figures/scheduler.js';
import { warmThroughWizardConfig } from './figures/wizard-config.js';
import { warmFileOps } from './figures/file-ops.js';
import { clusterEnv } from '../test/e2e/harness.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (name: string) => !only || only.includes(name);
/** --merge=FILE: add this run's figures to an earlier run's results (the caching-home run of scripts/bench). */
const merge = process.argv.find((a) => a.startsWith('--merge='))?.slice(8);

const USERS = ['ada', 'bob', 'cyd'];

async function main(): Promise<void> {
  // Only the bench's own users: other users' jobs on the cluster are left alone.
  for (const user of USERS) await resetUser(user);
  const laptop = await prepareUser('ada');
  const figures: Figure[] = [];
  const cluster = clusterEnv();
  // On the production shape each figure says so: its home caches lookups as NFS does.
  const where = cluster.homeCacheSeconds ? ` [caching home, ${cluster.homeCacheSeconds} s lookups, production shape]` : '';
  const step = async (name: string, f: () => Promise<Figure>) => {
    if (!want(name)) return;
    process.stderr.write(`bench: ${name}${where}...\n`);
    const figure = await f();
    figures.push({ ...figure, figure: figure.figure + where });
  };
  await step('version', () => versionStartup(quick ? 10 : 40));
  await step('warm', () => warmConnect(laptop, quick ? 8 : 60));
  await step('wizard', () => warmThroughWizardConfig(laptop, quick ? 8 : 30));
  await step('breakdown', () => warmBreakdown(laptop, quick ? 10 : 40, 'front'));
  await step('breakdown', () => warmBreakdown(laptop, quick ? 10 : 40, 'executable'));
  await step('peer', () => versusInteractiveSlurm(laptop, quick ? 8 : 40));
  await step('cold', () => coldConnect(laptop, quick ? 3 : 7));
  await step('rpcs', () => schedulerRpcs(laptop));
  await step('memory', () => loginMemory(laptop, 5));
  await step('throughput', () => throughput(laptop, quick ? 2 ** 26 : 2 ** 28, quick ? 3 : 11));
  await step('oldjobs', async () => warmWithManyOldJobs(laptop, await prepareUser('bob'), quick ? 8 : 20));
  await step('onejob', () => connectsOnOneJob(laptop, 100));
  await step('concurrency', async () => simultaneousConnects(await prepareUser('cyd'), 25));
  await step('size', downloadSize);
  await step('fileops', () => warmFileOps(laptop));
  const all = merge ? [...(JSON.parse(fs.readFileSync(merge, 'utf8')).figures as Figure[]), ...figures] : figures;

  const rows = [['figure', 'ours', 'floor', 'result', 'target', 'met'], ...all.map((f) => [f.figure, f.ours, f.floor, f.result, f.target, f.met === null ? '-' : f.met ? 'yes' : 'NO'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n'));
  for (const f of all) {
    const table = f.details?.phaseTable as Array<{ name: string; ours?: number; floor?: number }> | undefined;
    if (table) {
      console.log(`\n${f.figure}: where each connect's time goes (medians, s; ssh -v and the proxy's lines):`);
      const w = Math.max(...table.map((p) => p.name.length), 5);
      console.log(`  ${'phase'.padEnd(w)}  ${'ours'.padStart(6)}  ${'nc'.padStart(6)}`);
      const s = (ms?: number) => (ms === undefined ? '-' : (ms / 1000).toFixed(2)).padStart(6);
      for (const p of table) console.log(`  ${p.name.padEnd(w)}  ${s(p.ours)}  ${s(p.floor)}`);
      console.log(`  the slowest: ${Object.entries(f.details!.slowest as Record<string, number>).map(([n, ms]) => `${n} ${(ms / 1000).toFixed(2)}`).join(', ')}`);
    }
    const phases = f.details?.phasesMs as Array<{ name: string; ms: number }> | undefined;
    if (!phases) continue;
    console.log(`\n${f.figure} (medians, ms):`);
    const w = Math.max(...phases.map((p) => p.name.length));
    for (const p of phases) console.log(`  ${p.name.padEnd(w)}  ${p.ms.toFixed(1).padStart(6)}`);
    console.log(`  ${'total, to the banner on stdout'.padEnd(w)}  ${(f.details!.totalMs as number).toFixed(1).padStart(6)}`);
    console.log(`  ${'nc NODE PORT, to the banner'.padEnd(w)}  ${(f.details!.ncMs as number).toFixed(1).padStart(6)}`);
  }
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() };
  const file = merge ?? path.join(ROOT, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ when: new Date().toISOString(), machine, quick, figures: all }, null, 2));
  console.log(`\nwritten: ${path.relative(ROOT, file)}`);
  for (const user of USERS) await resetUser(user);
}

main().catch((err) => {
  console.error(`bench: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
