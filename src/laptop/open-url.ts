// --open: the laptop's browser, as the desktop opens a link: $BROWSER when it
// is set (a program, as Python's webbrowser reads it), else xdg-open, open
// (macOS) or the URL handler of Windows. Started on its own (a session of its
// own, not waited for): a browser it starts is the user's, which neither the
// wait for Ctrl-C nor the Ctrl-C itself may touch.
import { spawn } from 'node:child_process';
import type { Laptop } from '../setup/index.js';

export function browserCommand(l: Laptop, url: string): [program: string, args: string[]] {
  const own = l.env.BROWSER?.split(l.platform === 'win32' ? ';' : ':')[0]?.trim();
  if (own) return [own, [url]];
  if (l.platform === 'darwin') return ['open', [url]];
  if (l.platform === 'win32') return ['rundll32.exe', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/** How long a failing opener has to say so; one still running then is taken to have opened the page. */
const SETTLE_MS = 3_000;

/** Opens the URL; resolves with what went wrong, or undefined. */
export function openInBrowser(l: Laptop, url: string, start: typeof spawn = spawn): Promise<string | undefined> {
  const [program, args] = browserCommand(l, url);
  return new Promise((resolve) => {
    const child = start(program, args, { detached: true, stdio: 'ignore', windowsHide: true, env: l.env });
    const timer = setTimeout(() => resolve(undefined), SETTLE_MS);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(`${program}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? undefined : `${program} exited ${code ?? 'on a signal'}`);
    });
    child.unref();
  });
}
