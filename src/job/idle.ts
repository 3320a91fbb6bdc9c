// Idle reclaim: a job with no SSH session for idle_timeout seconds ends
// itself, so a forgotten session does not hold a (GPU) allocation. Who counts
// as a session: job/sessions.ts.

export interface IdleWatchOptions {
  /** The user's SSH sessions on this job now. */
  connections: () => number;
  idleSeconds: number;
  onIdle: () => void;
  /** More activity than open connections (GPU utilisation, with idle_gpu). */
  otherActivity?: () => Promise<boolean>;
  now?: () => number;
}

/** Checks a few times per idle period; returns a function that stops the watch. */
export function watchIdle({ connections, idleSeconds, onIdle, otherActivity, now = Date.now }: IdleWatchOptions): () => void {
  let lastActive = now();
  const intervalMs = Math.min(30_000, Math.max(1_000, (idleSeconds * 1000) / 4));
  const timer = setInterval(async () => {
    if (connections() > 0 || (otherActivity && (await otherActivity().catch(() => false)))) lastActive = now();
    else if (now() - lastActive >= idleSeconds * 1000) {
      clearInterval(timer);
      onIdle();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
