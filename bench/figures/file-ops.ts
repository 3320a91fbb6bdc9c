// How many file-system calls the warm path makes, and how many of them reach
// the home: on NFS each open and stat of the home is a round trip to the file
// server. Counted with strace on the login node, from the proxy's start to its
// hand-off to the relay (the execve of bash), over one warm connect.
import fs from 'node:fs';
import { execa } from 'execa';
import type { Laptop } from '../../test/e2e/harness.js';
import { homeOf } from '../../test/e2e/harness.js';
import type { Figure } from '../lib/measure.js';

// strace's file classes: every call that names or opens a path, or works on an open file.
// (%% for ssh, which expands % in a ProxyCommand.)
const TRACED = 'trace=%%file,%%desc';

export async function warmFileOps(laptop: Laptop): Promise<Figure> {
  await execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']); // the job runs: the next connect is warm
  const out = `/tmp/slurmhop-bench-strace-${process.pid}`;
  const proxy = `strace -f -qq -e ${TRACED} -o ${out} .local/bin/remote proxy cpu`;
  const r = await execa('ssh', ['-F', laptop.config, '-o', `ProxyCommand=ssh -F ${laptop.config} login ${proxy}`, 'slurm-cpu', 'true'], { reject: false });
  if (r.exitCode !== 0) throw new Error(`the traced warm connect failed: ${r.stderr}`);
  // The login node's /tmp is its own in the production shape: read the trace there.
  const trace = String((await execa('ssh', ['-F', laptop.config, 'login', `cat ${out}; rm -f ${out}`])).stdout).split('\n');
  const handoff = trace.findIndex((l) => /execve\("[^"]*bash"/.test(l));
  const before = (handoff < 0 ? trace : trace.slice(0, handoff)).filter((l) => /^\d+\s+\w+\(/.test(l));
  const home = homeOf(laptop.user);
  // A call that names a path in the home; a read or write whose data merely mentions one (the stat's answer on its pipe) is none.
  const onHome = before.filter((l) => l.includes(`"${home}/`) && !/^\d+\s+p?(read|write)v?(64)?\(/.test(l));
  const names = new Map<string, number>();
  for (const l of onHome) {
    const call = /^\d+\s+(\w+)\(/.exec(l)![1]!;
    names.set(call, (names.get(call) ?? 0) + 1);
  }
  fs.rmSync(out, { force: true });
  return {
    figure: 'warm path: file-system calls until the hand-off to the relay',
    ours: `${before.length} calls, ${onHome.length} naming a path in the home`,
    floor: 'nc: none in the home',
    result: [...names].map(([n, c]) => `${n} ${c}`).join(', '),
    target: '-',
    met: null,
    details: { calls: before.length, onHome: onHome.length, byCall: Object.fromEntries(names), homePaths: onHome.map((l) => l.replace(/^\d+\s+/, '').slice(0, 160)) },
  };
}
