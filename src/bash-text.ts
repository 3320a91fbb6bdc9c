// Bash text made from the TypeScript that owns a value (a path, a message):
// the value is computed with slots where the script has variables, then
// written as one bash word. The scripts generated this way (the relay, the
// front of `remote`) then follow every change of the TypeScript.

/** A placeholder for the bash variable `name` inside a value computed in TypeScript. */
export const slot = (name: string) => `\u0001${name}\u0001`;

/** One bash word for `text`: single-quoted, each slot expanded as "${name}" (never split, never globbed). */
export function bashWord(text: string): string {
  const parts = text.split(/\u0001([a-z_][a-z0-9_]*)\u0001/);
  if (parts.some((p, i) => i % 2 === 0 && p.includes('\u0001'))) throw new Error(`a slot that is not a bash variable name in ${JSON.stringify(text)}`);
  const word = parts.map((part, i) => (i % 2 ? `"\${${part}}"` : part === '' ? '' : `'${part.replace(/'/g, `'\\''`)}'`)).join('');
  return word === '' ? "''" : word;
}

/** Seconds for bash (`read -t`, `sleep`) from milliseconds: at most 3 decimals. */
export const seconds = (ms: number) => String(Number((ms / 1000).toFixed(3)));

/**
 * A helper subshell's stoppable sleep: STOPPABLE_TRAP first (a TERM then ends
 * the subshell and its sleep), later stoppableSleep. A TERM that comes between
 * the sleep's start and $s (bash runs the trap there too) is kept for after,
 * so no sleep outlives its subshell; `then` runs when the sleep ran out.
 */
export const STOPPABLE_TRAP = `s= stop=; trap 'stop=1; [ -z "$s" ] || { kill "$s" 2>/dev/null; exit 0; }' TERM`;
export const stoppableSleep = (duration: string, then: string) => `sleep ${duration} >/dev/null & s=$!; [ -z "$stop" ] || { kill "$s" 2>/dev/null; exit 0; }; wait "$s" && ${then}`;
