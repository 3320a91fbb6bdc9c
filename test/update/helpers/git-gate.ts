// Holds a real `git` inside ls-remote/fetch until the test lets it go: the
// repository's packed-refs is a FIFO, and git's open() of it waits for a
// writer. A process waiting there shows "wait_for_partner" in its wchan, so
// the test knows for certain that git is held, without any timing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export class GitGate {
  readonly fifo: string;

  constructor(readonly repo: string) {
    this.fifo = path.join(repo, 'packed-refs');
    execFileSync('mkfifo', [this.fifo]);
  }

  /** The pids of git processes held at the gate. */
  held(): number[] {
    const pids: number[] = [];
    for (const name of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (fs.readFileSync(`/proc/${name}/wchan`, 'utf8') !== 'wait_for_partner') continue;
        if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(this.repo)) pids.push(Number(name));
      } catch {
        // gone, or not ours to read
      }
    }
    return pids;
  }

  async waitUntilHeld(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.held().length === 0) {
      if (Date.now() > deadline) throw new Error(`no git process reached ${this.fifo} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Lets the held git go (it reads an empty packed-refs: the loose tag refs remain) and removes the gate. */
  async release(): Promise<void> {
    if (this.held().length === 0) {
      fs.rmSync(this.fifo, { force: true });
      return;
    }
    const writer = await fs.promises.open(this.fifo, 'w');
    fs.rmSync(this.fifo, { force: true });
    await writer.close();
  }
}
