// What `remote` prints on the login node names the login node's commands
// ("remote cancel 8" frees it) and a host name it cannot know ("ssh
// <prefix>-gpu"). Run through the laptop command, its output is told in the
// laptop's words: `slurmhop cancel 8`, `ssh slurm-gpu`. Lines are rewritten as
// they come (a line still being written is passed on after a moment as it is:
// a progress line, a question).
import type { ConfiguredCluster } from '../setup/index.js';

const LAPTOP_VERBS = 'list|cancel|alloc|swap|gpuswap|history|doctor|cleanup|resources';

/** The rewrite for one cluster; `several`: more than one is set up, so a hint must name it. */
export function laptopWords(c: ConfiguredCluster, several: boolean): (text: string) => string {
  const named = several ? ` --cluster ${c.name}` : '';
  const verbs = new RegExp(`(^|["'\`\\s(])remote (${LAPTOP_VERBS})\\b`, 'g');
  return (text) => {
    let out = text.replace(verbs, (_m, before: string, verb: string) => `${before}slurmhop ${verb}${named}`);
    if (c.prefix) out = out.replace(/\bssh <prefix>/g, `ssh ${c.prefix}`);
    return out;
  };
}

/** How long a line without its end waits before it is passed on unchanged. */
const HOLD_MS = 150;

/**
 * A stream rewriter: complete lines (ended by \n or \r) go through `rewrite`;
 * the rest waits HOLD_MS for its end, then is written as it is.
 */
export function rewriteLines(rewrite: (text: string) => string, write: (text: string) => void): { push(chunk: string): void; end(): void } {
  let tail = '';
  let timer: NodeJS.Timeout | undefined;
  const flushTail = () => {
    timer = undefined;
    if (tail) write(tail);
    tail = '';
  };
  return {
    push(chunk) {
      if (timer) clearTimeout(timer);
      const text = tail + chunk;
      const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
      if (cut > 0) write(rewrite(text.slice(0, cut)));
      tail = text.slice(cut);
      if (tail) timer = setTimeout(flushTail, HOLD_MS);
    },
    end() {
      if (timer) clearTimeout(timer);
      if (tail) write(rewrite(tail));
      tail = '';
    },
  };
}
