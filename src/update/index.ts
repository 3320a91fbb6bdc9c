// The git-based updater (issue 7). Until it lands, nothing is scheduled.

/** Called by `remote proxy`: starts at most one detached background check a day; never blocks, never writes to stdout. */
export function scheduleUpdateCheck(): void {}
