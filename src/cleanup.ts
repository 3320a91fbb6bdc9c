// Work that must happen even when the program dies of an unexpected error
// (e.g. cancelling a job this process submitted). The CLI's top-level handlers run it.
type Cleanup = () => Promise<void> | void;

const pending = new Set<Cleanup>();

/** Register; the returned function unregisters. */
export function onFatal(cleanup: Cleanup): () => void {
  pending.add(cleanup);
  return () => pending.delete(cleanup);
}

/** Runs every registered cleanup once, bounded in time. */
export async function runFatalCleanups(timeoutMs = 10_000): Promise<void> {
  const all = [...pending].map(async (c) => {
    try {
      await c();
    } catch {
      // best effort: the program is dying
    }
  });
  pending.clear();
  await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
}
