// Every message of the wizard is a typed event passed to one function that
// writes it to stderr; stdout carries only --dry-run's diffs and the summary.
// Progress (a download, an upload) is one line rewritten in place on a
// terminal; without one, a line now and then (a log keeps a few, not hundreds).
export type SetupEvent =
  | { type: 'step'; title: string }
  | { type: 'done'; message: string }
  | { type: 'skip'; message: string }
  | { type: 'info'; message: string }
  | { type: 'warn'; message: string; hint?: string | undefined }
  /** `key` names the task: a progress line of another task, or any other event, ends it. */
  | { type: 'progress'; key: string; message: string };

export type Report = (event: SetupEvent) => void;

export function formatSetupEvent(e: Exclude<SetupEvent, { type: 'progress' }>): string {
  switch (e.type) {
    case 'step':
      return `\n== ${e.title}`;
    case 'done':
      return `   ok: ${e.message}`;
    case 'skip':
      return `   unchanged: ${e.message}`;
    case 'info':
      return `   ${e.message}`;
    case 'warn':
      return `   warning: ${e.message}${e.hint ? `\n            ${e.hint}` : ''}`;
  }
}

/** Without a terminal, one progress line of a task per this many milliseconds (its first always). */
export const PROGRESS_EVERY_MS = 10_000;

export function createReport(write: (text: string) => void, options: { tty?: boolean; now?: () => number } = {}): Report {
  const now = options.now ?? Date.now;
  let open: string | undefined;
  const shown = new Map<string, number>();
  return (event) => {
    if (event.type === 'progress') {
      if (options.tty) {
        write(`\r\x1b[K   ${event.message}`);
        open = event.key;
        return;
      }
      const last = shown.get(event.key);
      if (last !== undefined && now() - last < PROGRESS_EVERY_MS) return;
      shown.set(event.key, now());
      write(`   ${event.message}\n`);
      return;
    }
    if (open !== undefined) write('\n');
    open = undefined;
    write(`${formatSetupEvent(event)}\n`);
  };
}
