// renew: `renew` before the time limit, the job of an active session submits
// its successor for the same profile (job/renew-submit.ts), tells the
// session's terminals, and records the link of the chain; a job that ends
// otherwise than at its time limit (a cancel, idle, a swap) takes its
// successor with it. config.ini is read as the job runs, so renew set or
// unset for a running session counts; the successor is what a connect would
// submit now.
import type { Profile } from '../config/index.js';
import { cancelJobs, listJobs, parseSlurmDuration } from '../slurm/index.js';
import { appendStatus, type EndReason } from '../state/index.js';
import { isActive } from './idle.js';
import { followCurrent, ownRecord, type RenewalDeps } from './renew-deps.js';
import { activeWithinMs, decideRenewal, renewDue, type ChainInfo } from './renew-plan.js';
import { submitSuccessor } from './renew-submit.js';
import { alreadyQueuedText, notRenewedText, renewedText, type SuccessorView } from './renew-text.js';
import { tellTerminals, type Terminal } from './walltime.js';

/** config.ini is read again this often (and the session's activity looked at, near the due time). */
const TICK_MS = 30_000;
/** Closer to the end than this, no successor is submitted any more. */
const TOO_LATE_MS = 15_000;
/** How long the job's end waits for a submission under way. */
const FINISH_WAIT_MS = 15_000;
/** A walltime warning this soon after the renewal's own message says nothing new. */
const TOLD_LATELY_MS = 60_000;

export interface RenewalOptions {
  jobId: string;
  profile: string;
  /** When this job started (epoch ms): the chain's start, for a first job. */
  startedAt: number;
  /** The user's sessions now; undefined where they cannot be counted (then nothing is renewed). */
  connections: (() => number) | undefined;
  otherActivity?: (() => Promise<boolean>) | undefined;
  terminals: (() => Terminal[]) | undefined;
}

export class Renewal {
  /** The successor this job submitted, once it did. */
  successor: string | undefined;
  private endTime: number | undefined;
  private profile: Profile | undefined;
  private configProblem: string | undefined;
  private lastActive: number | undefined;
  private decided = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private toldAt: number | undefined;
  private readonly chain: ChainInfo;
  private readonly decision: Promise<void>;
  private settleDecision!: () => void;

  constructor(
    private readonly deps: RenewalDeps,
    private readonly options: RenewalOptions,
  ) {
    const own = ownRecord(deps.stateDir, options.jobId);
    const start = own?.chainStart ? Date.parse(own.chainStart) : NaN;
    this.chain = { start: Number.isFinite(start) ? start : options.startedAt, link: own?.link ?? 1, held: own?.chainHeld ?? 0 };
    followCurrent(deps.stateDir, options.profile, options.jobId, own?.renews);
    this.decision = new Promise((resolve) => (this.settleDecision = resolve));
  }

  /**
   * A walltime warning due at the renewal's moment (walltime_warnings = 10m,
   * renew = 10m) waits for its outcome: it then names the successor, or is
   * left out when the renewal's own message just said as much.
   */
  async beforeWarning(): Promise<{ skip: boolean; successor: string | undefined }> {
    const renew = this.profile?.renew ?? 0;
    const dueSoon = renew > 0 && !this.decided && this.endTime !== undefined && this.deps.now() >= renewDue(this.endTime, renew) - 5_000;
    if (dueSoon) await Promise.race([this.decision, new Promise((resolve) => setTimeout(resolve, FINISH_WAIT_MS).unref())]);
    const told = this.toldAt !== undefined && this.deps.now() - this.toldAt < TOLD_LATELY_MS;
    return { skip: told, successor: this.successor };
  }

  /** The job's expected end, once known: the checks begin. */
  setEndTime(endTime: number | undefined): void {
    this.endTime = endTime;
    if (endTime !== undefined && !this.stopped) this.schedule(0);
  }

  /**
   * Slurm's own word on a SIGTERM near the limit, once a successor waits on
   * this job: the clock alone takes a cancel in the last minute for the time
   * limit (JobEnd), and then the successor would outlive a cancel.
   */
  async confirmEnd(reason: EndReason): Promise<EndReason> {
    this.stop();
    if (this.inFlight) await Promise.race([this.inFlight, new Promise((resolve) => setTimeout(resolve, FINISH_WAIT_MS).unref())]);
    if (reason !== 'time-limit' || !this.successor) return reason;
    const [info] = await listJobs(this.deps.run, { user: this.deps.user, jobIds: [this.options.jobId] }).catch(() => []);
    return info && info.reason !== 'TimeLimit' ? 'cancelled' : reason;
  }

  /**
   * At the job's end (after confirmEnd): a successor stays only after the time
   * limit, the end it was submitted for; after any other (a cancel, idle, a
   * swap) it is cancelled.
   */
  async finish(reason: EndReason): Promise<void> {
    this.stop();
    const successor = this.successor;
    if (!successor || reason === 'time-limit') return;
    const why = `job ${this.options.jobId} ended (${reason}) before its time limit`;
    try {
      // `remote cancel` of the chain may have cancelled it at the same moment.
      await cancelJobs(this.deps.run, [successor]).catch((err: Error) => {
        if (!/already completing or completed|invalid job id/i.test(err.message)) throw err;
      });
      this.record({ event: 'chain-ended', successor, why });
      this.deps.log({ type: 'info', message: `renew: cancelled the successor, job ${successor}: ${why}` });
    } catch (err) {
      this.deps.log({ type: 'warn', message: `renew: could not cancel the successor, job ${successor}: ${(err as Error).message.split('\n')[0]}; cancel it with "remote cancel ${successor}"` });
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.settleDecision();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, ms));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.decided || this.endTime === undefined || this.inFlight) return;
    const now = this.deps.now();
    try {
      this.profile = this.deps.loadProfile(this.options.profile);
      this.configProblem = undefined;
    } catch (err) {
      this.configProblem = (err as Error).message.split('\n')[0];
    }
    const renew = this.profile?.renew ?? 0;
    if (renew <= 0) {
      if (now < this.endTime - TOO_LATE_MS) this.schedule(TICK_MS);
      return;
    }
    const due = renewDue(this.endTime, renew);
    if (now >= due - activeWithinMs(renew) && this.options.connections && (await isActive(this.options.connections, this.options.otherActivity))) this.lastActive = now;
    if (this.stopped) return;
    if (now < due) return this.schedule(Math.min(TICK_MS, due - now));
    if (now > this.endTime - TOO_LATE_MS) {
      this.decided = true; // renew was set too late for this job
      return this.settleDecision();
    }
    this.inFlight = this.renewNow(this.profile!, this.endTime)
      .catch((err: unknown) => this.skip(`slurmhop failed: ${(err as Error).message.split('\n')[0]}`, true))
      .finally(() => {
        this.inFlight = undefined;
        if (this.decided) this.settleDecision();
      });
  }

  private async renewNow(profile: Profile, endTime: number): Promise<void> {
    const { jobId } = this.options;
    if (!this.options.connections) return this.skip("the session's activity cannot be counted on this node (see the warning above)", true);
    if (this.configProblem) return this.skip(`config.ini cannot be used now: ${this.configProblem}`, true);
    const activeNow = await isActive(this.options.connections, this.options.otherActivity);
    const own = await listJobs(this.deps.run, { user: this.deps.user, jobIds: [jobId] }).catch(() => []);
    const ownLimit = (own[0] ? parseSlurmDuration(own[0].timeLimit) : undefined) ?? wholeMinutes(endTime - this.options.startedAt);
    const decision = decideRenewal({ now: this.deps.now(), profile, ownLimit, chain: this.chain, activeNow, lastActive: this.lastActive });
    if (decision.kind === 'skip') return this.skip(decision.why, decision.tell);

    const link = { renews: jobId, chainStart: new Date(this.chain.start).toISOString(), link: this.chain.link + 1, chainHeld: this.chain.held + ownLimit };
    const outcome = await submitSuccessor(this.deps, profile, jobId, endTime, link);
    if (outcome.kind === 'retry') {
      this.deps.log({ type: 'warn', message: `renew: no successor yet: ${outcome.why}; trying again` });
      if (this.deps.now() < endTime - TOO_LATE_MS - TICK_MS) return this.schedule(TICK_MS);
      return this.skip(`Slurm did not answer: ${outcome.why}`, true);
    }
    this.decided = true;
    if (outcome.kind === 'refused') return this.skip(outcome.why, true);
    if (outcome.kind === 'queued') {
      const why = `your job ${outcome.jobId} of the profile is ${outcome.state.toLowerCase()} already`;
      this.record({ event: 'not-renewed', why });
      const told = this.tell(alreadyQueuedText(jobId, profile.name, outcome.jobId, outcome.state, endTime, this.deps.now()));
      return this.deps.log({ type: 'info', message: `renew: no successor: ${why}${told}` });
    }
    this.successor = outcome.successor;
    this.record({ event: 'renewed', successor: outcome.successor, dependency: outcome.dependency });
    const view = await this.view(outcome.successor);
    const told = this.tell(renewedText(jobId, profile.name, outcome.successor, endTime, view, this.deps.now()));
    const state = view.state ? `, ${view.state}${view.reason ? ` (${view.reason})` : ''}` : '';
    this.deps.log({ type: 'info', message: `renew: submitted job ${outcome.successor} to follow this one (${outcome.dependency}${state})${told}` });
  }

  private skip(why: string, tell: boolean): void {
    this.decided = true;
    this.record({ event: 'not-renewed', why });
    const told = tell && this.endTime !== undefined ? this.tell(notRenewedText(this.options.jobId, this.options.profile, why, this.endTime, this.deps.now())) : '';
    this.deps.log({ type: 'info', message: `renew: no successor: ${why}${told}` });
  }

  /** Writes to the session's terminals; returns what the log says of it. */
  private tell(text: string): string {
    const told = this.options.terminals ? tellTerminals(this.options.terminals(), text) : [];
    if (told.length) this.toldAt = this.deps.now();
    return told.length ? ` (told ${told.join(', ')})` : ' (no terminal open to tell)';
  }

  private record(event: { event: 'renewed'; successor: string; dependency: string } | { event: 'not-renewed'; why: string } | { event: 'chain-ended'; successor: string; why: string }): void {
    try {
      appendStatus(this.deps.stateDir, { ...event, jobId: this.options.jobId, profile: this.options.profile } as Parameters<typeof appendStatus>[1]);
    } catch {
      // a full home: the log and the terminals still say it
    }
  }

  private async view(successor: string): Promise<SuccessorView> {
    const [info] = await listJobs(this.deps.run, { user: this.deps.user, jobIds: [successor] }).catch(() => []);
    return { state: info?.state, reason: info?.reason, startTime: info?.state === 'PENDING' ? info.startTime : undefined };
  }
}

/** Slurm's time limits are whole minutes. */
const wholeMinutes = (ms: number) => Math.max(1, Math.round(ms / 60_000)) * 60;
