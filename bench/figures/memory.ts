// Login-node memory per open idle session: the processes a session adds on
// the login node (our proxy, or nc for the floor), by proportional set size.
import fs from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import type { Laptop } from '../../test/e2e/harness.js';
import { clusterEnv, waitFor } from '../../test/e2e/harness.js';
import { currentContact, floorArgs } from '../lib/chain.js';
import type { Figure } from '../lib/measure.js';

interface Usage {
  pssKiB: number;
  rssKiB: number;
  processes: string[];
  pids: Set<string>;
}

function loginNetns(): string {
  const [pid] = fs.readFileSync(`${clusterEnv().dir}/run/node-login.pid`, 'utf8').trim().split(/\s+/);
  return fs.readlinkSync(`/proc/${pid}/ns/net`);
}

/** The user's processes on the login node, sshd itself excluded (the same for both chains), but those in `skip`. */
function usage(uid: number, netns: string, skip: Set<string> = new Set()): Usage {
  const out: Usage = { pssKiB: 0, rssKiB: 0, processes: [], pids: new Set() };
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && !skip.has(p))) {
    try {
      if (fs.statSync(`/proc/${pid}`).uid !== uid || fs.readlinkSync(`/proc/${pid}/ns/net`) !== netns) continue;
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'sshd') continue;
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      out.pssKiB += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      out.rssKiB += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      out.processes.push(comm);
      out.pids.add(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function perSession(laptop: Laptop, sshArgs: string[], sessions: number): Promise<{ pss: number; rss: number; processes: string[] }> {
  const uid = fs.statSync(`/home/${laptop.user}`).uid;
  const netns = loginNetns();
  // Only processes that appear with these sessions count: leftovers of earlier connects may exit meanwhile.
  const before = usage(uid, netns);
  const open: ResultPromise[] = [];
  for (let i = 0; i < sessions; i++) open.push(execa('ssh', [...sshArgs, 'slurm-cpu', 'echo up; sleep 600'], { reject: false }) as ResultPromise);
  let upCount = 0;
  for (const s of open) s.stdout!.on('data', () => upCount++);
  await waitFor(() => upCount >= sessions, 60_000, 'the idle sessions to open');
  await new Promise((r) => setTimeout(r, 1500)); // let the relays settle into their idle state
  const added = usage(uid, netns, before.pids);
  for (const s of open) s.kill('SIGTERM');
  await Promise.all(open);
  return { pss: added.pssKiB / sessions, rss: added.rssKiB / sessions, processes: added.processes };
}

export async function loginMemory(laptop: Laptop, sessions: number): Promise<Figure> {
  await execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
  const contact = currentContact(laptop.user);
  const ours = await perSession(laptop, ['-F', laptop.config], sessions);
  const floor = await perSession(laptop, floorArgs(laptop, contact), sessions);
  const mb = (kib: number) => `${(kib / 1024).toFixed(2)} MiB`;
  return {
    figure: 'login-node memory per open idle session (PSS)',
    ours: `${mb(ours.pss)} (RSS ${mb(ours.rss)})`,
    floor: `${mb(floor.pss)} (RSS ${mb(floor.rss)}) (nc)`,
    result: mb(ours.pss),
    target: '≤ the nc chain\'s PSS',
    met: ours.pss <= floor.pss,
    details: { sessions, ours, floor },
  };
}
