// The updater's typed events. Every one goes to the update log in the state
// dir (one timestamped line each); interactive commands also show them on
// stderr. Never stdout: in `remote proxy` stdout is the SSH stream.
import fs from 'node:fs';

export type UpdateEvent =
  | { type: 'check'; mode: 'auto' | 'manual'; repository: string; running: string }
  | { type: 'up-to-date'; running: string; latest?: string | undefined }
  | { type: 'skipped'; why: string }
  | { type: 'found'; version: string; running: string }
  | { type: 'rejected'; version: string; why: string; running: string }
  | { type: 'failed'; during: string; why: string; running: string }
  | { type: 'installed'; version: string; previous: string }
  | { type: 'rolled-back'; from: string; to: string }
  | { type: 'pruned'; versions: string[] }
  | { type: 'fallback'; version: string; why: string; running: string };

export type UpdateLog = (event: UpdateEvent) => void;

export function formatUpdateEvent(e: UpdateEvent): string {
  switch (e.type) {
    case 'check':
      return `${e.mode === 'auto' ? 'background' : 'manual'} check of ${e.repository} (running ${e.running})`;
    case 'up-to-date':
      return `up to date: running ${e.running}${e.latest ? `, latest release ${e.latest}` : ', no release tags'}`;
    case 'skipped':
      return `no check: ${e.why}`;
    case 'found':
      return `release ${e.version} is newer than ${e.running}: fetching`;
    case 'rejected':
      return `rejected ${e.version}: ${e.why}; ${e.running} still runs`;
    case 'failed':
      return `failed while ${e.during}: ${e.why}; ${e.running} still runs`;
    case 'installed':
      return `installed ${e.version} (was ${e.previous}); the next run uses it`;
    case 'rolled-back':
      return `rolled back from ${e.from} to ${e.to}`;
    case 'pruned':
      return `removed old versions ${e.versions.join(', ')}`;
    case 'fallback':
      return `cannot run installed ${e.version}: ${e.why}; running ${e.running}`;
  }
}

const ROTATE_AT = 256 * 1024;

/**
 * Appends to `file` (rotated to `file.1` past 256 KiB, so it stays bounded).
 * Never throws: a full disk must not turn a log line into a failure.
 */
export function createUpdateLog(file: string, echo?: (line: string) => void): UpdateLog {
  return (event) => {
    const text = formatUpdateEvent(event);
    echo?.(text);
    try {
      try {
        if (fs.statSync(file).size > ROTATE_AT) fs.renameSync(file, `${file}.1`);
      } catch {
        // no log yet
      }
      fs.appendFileSync(file, `${new Date().toISOString()} [${process.pid}] ${text}\n`, { mode: 0o600 });
    } catch {
      // the state dir is unwritable or full: the event is lost, the program goes on
    }
  };
}
