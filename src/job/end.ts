// How the job learns that it must end: Slurm's signals (scancel, time limit),
// sshd exiting, or idleness. The first reason wins.
import type { EndReason } from '../state/index.js';

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): void;
  off(signal: NodeJS.Signals, listener: () => void): void;
}

const WATCHED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
/** Slurm's SIGTERM at the time limit comes at the end time, give or take its timer's period. */
const TIME_LIMIT_MARGIN_MS = 60_000;

export class JobEnd {
  /** The job's expected end (epoch ms), once known: tells a time limit from a scancel. */
  endTime: number | undefined;
  reason: EndReason | undefined;
  readonly promise: Promise<EndReason>;
  private resolve!: (reason: EndReason) => void;
  private readonly listeners = new Map<NodeJS.Signals, () => void>();

  constructor(
    private readonly signals: SignalSource,
    private readonly now: () => number = Date.now,
  ) {
    this.promise = new Promise((resolve) => (this.resolve = resolve));
    for (const s of WATCHED) {
      const listener = () => this.settle(this.fromSignal(s));
      this.listeners.set(s, listener);
      signals.on(s, listener);
    }
  }

  get settled(): boolean {
    return this.reason !== undefined;
  }

  settle(reason: EndReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.resolve(reason);
  }

  /** Slurm sends SIGTERM both for scancel and at the time limit: the clock tells which. */
  fromSignal(signal: NodeJS.Signals): EndReason {
    if (signal !== 'SIGTERM') return 'signal';
    const nearLimit = this.endTime !== undefined && this.now() >= this.endTime - TIME_LIMIT_MARGIN_MS;
    return nearLimit ? 'time-limit' : 'cancelled';
  }

  /** Remove only our own listeners. */
  dispose(): void {
    for (const [s, listener] of this.listeners) this.signals.off(s, listener);
    this.listeners.clear();
  }
}
