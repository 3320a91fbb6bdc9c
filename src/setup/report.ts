// Every message of the wizard is a typed event passed to one function that
// writes it to stderr; stdout carries only --dry-run's diffs and the summary.
export type SetupEvent =
  | { type: 'step'; title: string }
  | { type: 'done'; message: string }
  | { type: 'skip'; message: string }
  | { type: 'info'; message: string }
  | { type: 'warn'; message: string; hint?: string | undefined };

export type Report = (event: SetupEvent) => void;

export function formatSetupEvent(e: SetupEvent): string {
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

export function createReport(write: (text: string) => void): Report {
  return (event) => write(`${formatSetupEvent(event)}\n`);
}
