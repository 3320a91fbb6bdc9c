// Walltime warnings: before the time limit, a message in every terminal of
// the session (the ptys of this job's sshd sessions; transport = node-sshd:
// of the user's sessions through the node's sshd), saying when it ends and
// how to go on.
import fs from 'node:fs';
import { descendantsOf, processTable } from './procs.js';

export interface Terminal {
  /** As the session sees it (/dev/pts/N). */
  name: string;
  /**
   * Where to write: the fd link of a process using it. Inside a container
   * /dev/pts is often the container's own, so the name would reach another
   * terminal on the node; the link reaches the session's.
   */
  path: string;
}

/** Terminals used by the descendants of `rootPid`, one entry each. */
export function sessionTerminals(rootPid: number, proc = '/proc'): Terminal[] {
  const ttys = new Map<string, string>();
  for (const pid of descendantsOf(processTable(proc), rootPid)) {
    for (const fd of ['0', '1', '2']) {
      try {
        const target = fs.readlinkSync(`${proc}/${pid}/fd/${fd}`);
        if (/^\/dev\/pts\/\d+$/.test(target) && !ttys.has(target)) ttys.set(target, `${proc}/${pid}/fd/${fd}`);
      } catch {
        // not ours to read, or gone
      }
    }
  }
  return [...ttys].sort(([a], [b]) => a.localeCompare(b)).map(([name, path]) => ({ name, path }));
}

/** Writes `text` into each terminal; returns the names of those it reached. */
export function tellTerminals(terminals: Terminal[], text: string): string[] {
  return terminals
    .filter((tty) => {
      try {
        fs.writeFileSync(tty.path, text, { flag: 'a' });
        return true;
      } catch {
        return false;
      }
    })
    .map((tty) => tty.name);
}

/** `successor`: the job renew queued to follow this one, if any. */
export function warningText(jobId: string, profile: string, endTime: number, now: number, successor?: string): string {
  const minutes = Math.max(1, Math.round((endTime - now) / 60_000));
  const at = new Date(endTime).toTimeString().slice(0, 5);
  const goOn = successor
    ? `*** Job ${successor} follows it (renew): your next connect after ${at} lands there. ***\r\n`
    : `*** To go on, run "remote alloc ${profile}" on the login node now; your next connect lands in the new job. ***\r\n`;
  return `\r\n*** slurmhop: job ${jobId} (${profile}) reaches its time limit at ${at}, in ${minutes} minute${minutes === 1 ? '' : 's'}: save your work. ***\r\n` + goOn;
}

export interface WalltimeWarningOptions {
  jobId: string;
  profile: string;
  endTime: number;
  /** Seconds before the end. */
  before: number[];
  /** The session's terminals when a warning is due. */
  terminals: () => Terminal[];
  now?: () => number;
  /** Where a message was written (for the job's log). */
  onWarned?: (terminals: string[]) => void;
  /**
   * Asked when a warning is due (renew): whether to leave it out (the session
   * was just told as much), and the job queued to follow this one.
   */
  beforeWarning?: () => Promise<{ skip: boolean; successor?: string | undefined }>;
}

/** Schedules the warnings; returns a function that cancels those not yet shown. */
export function scheduleWalltimeWarnings({ jobId, profile, endTime, before, terminals, now = Date.now, onWarned = () => {}, beforeWarning = async () => ({ skip: false }) }: WalltimeWarningOptions): () => void {
  const timers = before
    .map((seconds) => endTime - seconds * 1000 - now())
    .filter((delay) => delay > 0)
    .map((delay) =>
      setTimeout(async () => {
        const renewal = await beforeWarning().catch(() => ({ skip: false, successor: undefined }));
        if (!renewal.skip) onWarned(tellTerminals(terminals(), warningText(jobId, profile, endTime, now(), renewal.successor)));
      }, delay).unref(),
    );
  return () => timers.forEach(clearTimeout);
}
