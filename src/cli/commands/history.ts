import { usageError } from '../../errors.js';
import { collectHistory, defaultHistoryDeps, historyJson, historyRows, limitNote, type HistoryDeps } from '../../history/index.js';
import { defineCommand, type Command } from '../../command.js';
import { formatTable, print } from '../../output.js';

const DEFAULT_LIMIT = 20;

export function historyCommandWith(deps: () => HistoryDeps): Command {
  return defineCommand({
    name: 'history',
    summary: 'your past sessions, newest first: job, profile, node, times, why each ended (from the state files)',
    usage: 'remote history [--json] [--limit N]',
    options: { json: { type: 'boolean' }, limit: { type: 'string' } },
    async run({ positionals, values }) {
      if (positionals.length) throw usageError('remote history takes no arguments', 'usage: remote history [--json] [--limit N]');
      const limit = parseLimit(values.limit);
      const history = await collectHistory(deps(), { limit });
      if (values.json) {
        print(historyJson(history));
        return;
      }
      if (history.sessions.length === 0) {
        print('no sessions yet (connect with "ssh <prefix>-<profile>" or run "remote proxy <profile>")');
        return;
      }
      print(formatTable(historyRows(history)));
      const note = limitNote(history);
      if (note) print(note);
    },
  });
}

export const historyCommand = historyCommandWith(() => defaultHistoryDeps());

function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw usageError(`--limit wants a number of sessions, not ${JSON.stringify(value)}`, 'usage: remote history [--json] [--limit N] (0 shows all)');
  }
  return Number(value);
}
