// Slurm's duration format: [days-]hours:minutes:seconds, minutes:seconds, ...

/** Seconds in a Slurm duration, or undefined for UNLIMITED/INVALID/empty. */
export function parseSlurmDuration(value: string): number | undefined {
  const v = value.trim();
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(v);
  if (!m) return undefined;
  const days = Number(m[1] ?? 0);
  const parts = [m[2], m[3], m[4]].filter((p): p is string => p !== undefined).map(Number);
  let h = 0;
  let min = 0;
  let s = 0;
  if (m[1] !== undefined) {
    // days-hours[:minutes[:seconds]]
    [h = 0, min = 0, s = 0] = parts;
  } else if (parts.length === 3) {
    [h = 0, min = 0, s = 0] = parts;
  } else if (parts.length === 2) {
    [min = 0, s = 0] = parts;
  } else {
    [min = 0] = parts;
  }
  return ((days * 24 + h) * 60 + min) * 60 + s;
}
