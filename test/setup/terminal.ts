// A real pseudo-terminal for tests that type as a user does: util-linux's
// `script` runs the command on a new pty (as a terminal would: the line
// discipline turns Ctrl-C into SIGINT for its foreground group, raw mode is
// what the program sets); the keys are written to its master side one by one.
import { execa, type ResultPromise } from 'execa';

export interface TerminalRun {
  /** Everything shown so far, escape sequences and carriage returns removed. */
  screen(): string;
  /** Waits until the screen (after `from`) matches; the match's end is returned. */
  waitFor(pattern: RegExp | string, from?: number, timeoutMs?: number): Promise<number>;
  /** Types the keys one at a time, as fingers do. */
  type(keys: string): Promise<void>;
  done: ResultPromise;
}

const shellWord = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][A-Za-z0-9]/g, '').replace(/\r/g, '');

export function inTerminal(command: string[], options: { env: Record<string, string>; cwd: string; timeoutMs?: number }): TerminalRun {
  // 120 columns as a terminal window has; script's own exit code is the command's (-e).
  const line = `stty cols 120 rows 40; exec ${command.map(shellWord).join(' ')}`;
  const done = execa('script', ['-q', '-e', '-c', line, '/dev/null'], { env: { TERM: 'xterm', ...options.env }, extendEnv: false, cwd: options.cwd, reject: false, timeout: options.timeoutMs ?? 280_000, stdin: 'pipe' });
  let raw = '';
  done.stdout!.on('data', (d) => (raw += String(d)));
  const screen = () => plain(raw);
  return {
    screen,
    async waitFor(pattern, from = 0, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = screen().slice(from);
        const m = typeof pattern === 'string' ? (text.includes(pattern) ? { index: text.indexOf(pattern), 0: pattern } : null) : pattern.exec(text);
        if (m) return from + m.index! + m[0].length;
        if (done.exitCode !== undefined && done.exitCode !== null) throw new Error(`the program ended (exit ${done.exitCode}) before ${pattern} appeared; the screen:\n${screen()}`);
        if (Date.now() > deadline) throw new Error(`${pattern} did not appear in ${timeoutMs} ms; the screen:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async type(keys) {
      for (const k of keys) {
        done.stdin!.write(k);
        await new Promise((r) => setTimeout(r, 30));
      }
    },
    done,
  };
}
