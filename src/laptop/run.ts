// How the laptop command starts a program (ssh, code) for real. On Windows,
// VS Code's `code` is a batch file (code.cmd), which Node starts only through
// cmd.exe: its words are then quoted for cmd.exe here, and the few characters
// cmd.exe would still read inside quotes are refused.
import { execa } from 'execa';
import { setupError } from '../setup/index.js';
import type { RunOptions, RunResult } from './env.js';
import { rewriteLines } from './hints.js';

export async function runProgram(program: string, args: string[], options: RunOptions = {}, platform = process.platform): Promise<RunResult> {
  const viaCmd = platform === 'win32' && /\.(cmd|bat)$/i.test(program);
  // Through cmd.exe the command is one line of words quoted here (Node warns about arguments handed to a shell).
  const rewrite = options.rewrite && !options.capture ? options.rewrite : undefined;
  const child = execa(viaCmd ? [program, ...args].map(cmdWord).join(' ') : program, viaCmd ? [] : args, {
    reject: false,
    shell: viaCmd,
    stdio: options.capture ? ['ignore', 'pipe', 'inherit'] : rewrite ? ['inherit', 'pipe', 'pipe'] : 'inherit',
    ...(rewrite ? { encoding: 'utf8', buffer: false } : {}),
  });
  const ended: Array<Promise<void>> = [];
  if (rewrite) {
    for (const [from, to] of [[child.stdout, options.allToStderr ? process.stderr : process.stdout], [child.stderr, process.stderr]] as const) {
      const lines = rewriteLines(rewrite, (text) => to.write(text));
      from!.setEncoding('utf8');
      from!.on('data', (d: string) => lines.push(d));
      ended.push(new Promise((resolve) => from!.on('close', () => resolve(lines.end()))));
    }
  }
  const r = await child;
  await Promise.all(ended);
  return { exitCode: (r as { code?: string }).code === 'ENOENT' ? -1 : (r.exitCode ?? 255), stdout: String(r.stdout ?? '') };
}

/** One word for cmd.exe: quoted when it has spaces or operators; `"`, `%` and `!` cannot be passed safely. */
export function cmdWord(word: string): string {
  if (/["%!\r\n]/.test(word)) throw setupError('usage', `"${word}" cannot be passed to a Windows batch file safely`, 'use a path without " % or !');
  return /^[A-Za-z0-9_.,:=\\/@+-]+$/.test(word) ? word : `"${word}"`;
}
