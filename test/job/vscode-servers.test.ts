// The job's record of the VS Code server versions its node runs, from the
// real /proc: a server process of the user (named by its commit in its
// command line, as VS Code's server is) shows up in the record, which only grows.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitsIn, recordVscodeServers } from '../../src/job/vscode-servers.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-vscode-servers-');
const [A, B] = ['a1', 'b2'].map((c) => c.repeat(20)) as [string, string];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A process whose command line is a VS Code server's: ~/.vscode-server/bin/<commit>/node (exec -a names it so). */
async function server(commit: string): Promise<ChildProcess> {
  const child = spawn('bash', ['-c', `exec -a /home/hal/.vscode-server/bin/${commit}/node sleep 60`], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  // Until the exec is done (bash's own command line names the commit too, and a scan in the exec's midst may read nothing).
  const named = [`/home/hal/.vscode-server/bin/${commit}/node`, '60', ''].join('\0');
  const cmdline = `/proc/${child.pid}/cmdline`;
  for (let i = 0; i < 200 && fs.readFileSync(cmdline, 'utf8') !== named; i++) await new Promise((r) => setTimeout(r, 10));
  return child;
}

const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { commits: string[]; at: string };

describe("the job's record of the VS Code servers on its node", () => {
  it('is written at once, names the servers running now, and grows when another starts', async () => {
    const file = path.join(tmp(), 'vscode-servers');
    await server(A);
    const stop = recordVscodeServers(file, process.getuid!(), undefined, 50);
    try {
      expect(read(file).commits).toContain(A);
      expect(read(file).commits).not.toContain(B);
      const first = children[0]!;
      await server(B);
      first.kill('SIGKILL');
      for (let i = 0; i < 200 && !read(file).commits.includes(B); i++) await new Promise((r) => setTimeout(r, 20));
      expect(read(file).commits).toEqual(expect.arrayContaining([A, B])); // A stopped, and stays recorded
    } finally {
      stop();
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('an empty record when nothing runs a server: "this job runs none", unlike no record at all', () => {
    const file = path.join(tmp(), 'vscode-servers');
    recordVscodeServers(file, undefined, () => [{ pid: 1, cmdline: 'bash' }])();
    expect(read(file).commits).toEqual([]);
  });

  it('a commit counts only as a whole 40-hex word, from the executable, the working directory or the command line', () => {
    expect(commitsIn([
      { pid: 1, exe: `/h/.vscode-server/cli/servers/Stable-${A}/server/node`, cmdline: '' },
      { pid: 2, cwd: `/h/.vscode-server/bin/${B}`, cmdline: `x ${'c'.repeat(41)} ${'d'.repeat(39)}` },
    ]).sort()).toEqual([A, B]);
  });
});
