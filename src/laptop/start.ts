// Programs the laptop command leaves running while it waits (the ssh session
// that holds Jupyter on the node, the ssh that forwards a port): stdio piped,
// their output handed on line by line. A Ctrl-C typed in the terminal goes to
// the terminal's whole foreground process group: started under `trap '' INT`,
// ssh keeps SIGINT ignored (OpenSSH sets its handler only where the signal
// was not ignored), and so does its ProxyCommand, so this command alone
// decides how they end (closing the session first, then the forward).
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { StartOptions, Started } from './env.js';

/** After the program exits, how long its output may still take to arrive. */
const DRAIN_MS = 2_000;

export function startProgram(program: string, args: string[], options: StartOptions, platform: NodeJS.Platform = process.platform): Started {
  const [file, argv] = platform === 'win32' ? [program, args] : ['/bin/sh', ['-c', 'trap "" INT; exec "$@"', 'sh', program, ...args]];
  const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  const out = lineSplitter(options.onStdout);
  const err = lineSplitter(options.onStderr);
  child.stdout.setEncoding('utf8').on('data', out.push);
  child.stderr.setEncoding('utf8').on('data', err.push);
  // A session that already ended refuses what is still written to it: that is not this command's error.
  child.stdin.on('error', () => {});
  const exited = new Promise<number>((resolve) => {
    let code: number | undefined;
    const done = () => {
      out.end();
      err.end();
      resolve(code ?? 255);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      code = e.code === 'ENOENT' ? -1 : 255;
      done();
    });
    child.on('exit', (c, signal) => {
      code = c ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0);
      setTimeout(done, DRAIN_MS).unref();
    });
    child.on('close', () => done());
  });
  let settled = false;
  void exited.then(() => (settled = true));
  return {
    write: (text) => void (child.stdin.writable && child.stdin.write(text)),
    endInput: () => void child.stdin.end(),
    exited,
    kill: (signal = 'SIGTERM') => void (!settled && child.kill(signal)),
  };
}

/** Complete lines (\n or \r\n) to `onLine`; the rest waits for its end, or for `end()`. */
export function lineSplitter(onLine: (line: string) => void): { push: (chunk: string) => void; end: () => void } {
  let tail = '';
  return {
    push: (chunk) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop()!;
      for (const l of lines) onLine(l.replace(/\r$/, ''));
    },
    end: () => {
      if (tail) onLine(tail.replace(/\r$/, ''));
      tail = '';
    },
  };
}

/** SIGINT, SIGHUP and SIGTERM call `handler` (and no longer end the process) until the result is called. */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGHUP', 'SIGTERM'];
  for (const s of signals) process.on(s, handler);
  return () => signals.forEach((s) => process.off(s, handler));
}
