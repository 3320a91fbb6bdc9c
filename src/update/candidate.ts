// Runs a staged release's self-check in a child process, through this
// executable's launcher (`remote --bundle DIR --self-check`), which verifies
// the release again before running it: exactly how it would run once current.
import { execFile } from 'node:child_process';
import type { SelfCheckReport } from './self-check.js';

export interface SelfCheckRun {
  command: string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Resolves with nothing when the release reports itself as `version`; otherwise rejects with why. */
export function runSelfCheck(run: SelfCheckRun, dir: string, version: string): Promise<void> {
  const [file, ...pre] = run.command;
  return new Promise((resolve, reject) => {
    execFile(
      file!,
      [...pre, '--bundle', dir, '--self-check'],
      { env: run.env, timeout: run.timeoutMs, maxBuffer: 1 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const said = firstLine(stderr) || lastLine(stdout);
        if (err) {
          const how = err.killed ? `timed out after ${run.timeoutMs / 1000} s` : `exit ${err.code ?? err.signal}`;
          return reject(new Error(`self-check failed (${how})${said ? `: ${said}` : ''}`));
        }
        let report: Partial<SelfCheckReport> = {};
        try {
          report = JSON.parse(lastLine(stdout)) as SelfCheckReport;
        } catch {
          return reject(new Error(`self-check printed no report${said ? `: ${said}` : ''}`));
        }
        if (report.selfCheck !== 'ok') return reject(new Error('self-check did not report ok'));
        if (report.version !== version) {
          return reject(new Error(`self-check: the program says it is ${String(report.version)}, the release says ${version}`));
        }
        resolve();
      },
    );
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
