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

/** What counts as activity, for idle reclaim and for renew: a session open now, or (idle_gpu) a busy GPU. */
export async function isActive(connections: () => number, otherActivity?: () => Promise<boolean>): Promise<boolean> {
  return connections() > 0 || (otherActivity !== undefined && (await otherActivity().catch(() => false)));
}

/** Checks a few times per idle period; returns a function that stops the watch. */
export function watchIdle({ connections, idleSeconds, onIdle, otherActivity, now = Date.now }: IdleWatchOptions): () => void {
  let lastActive = now();
  const intervalMs = Math.min(30_000, Math.max(1_000, (idleSeconds * 1000) / 4));
  const timer = setInterval(async () => {
    if (await isActive(connections, otherActivity)) lastActive = now();
    else if (now() - lastActive >= idleSeconds * 1000) {
      clearInterval(timer);
      onIdle();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
