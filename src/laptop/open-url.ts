// --open: the laptop's browser, as the desktop opens a link: $BROWSER when it
// is set (a program, as Python's webbrowser reads it), else xdg-open, open
// (macOS) or the URL handler of Windows.
import type { Laptop } from '../setup/index.js';

export function browserCommand(l: Laptop, url: string): [program: string, args: string[]] {
  const own = l.env.BROWSER?.split(l.platform === 'win32' ? ';' : ':')[0]?.trim();
  if (own) return [own, [url]];
  if (l.platform === 'darwin') return ['open', [url]];
  if (l.platform === 'win32') return ['rundll32.exe', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}
