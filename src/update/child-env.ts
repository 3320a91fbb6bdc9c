// Apart from settings.ts, which loads config.ini's parser: the warm path's
// detached update check needs this alone.

/** A user's NODE_OPTIONS is for their own Node, never for ours or our children. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean = { ...env };
  delete clean.NODE_OPTIONS;
  return clean;
}
