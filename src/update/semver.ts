// Release versions are plain X.Y.Z (tags vX.Y.Z): no pre-releases, so
// "newer" has one meaning and a tag name cannot smuggle in anything else.
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
const TAG_REF = /^refs\/tags\/v(\d+\.\d+\.\d+)$/;

export function isVersion(text: string): boolean {
  return VERSION.test(text);
}

export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

function parse(version: string): number[] {
  const m = VERSION.exec(version);
  if (!m) throw new Error(`not a release version: ${JSON.stringify(version)}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export const tagOf = (version: string) => `v${version}`;

/** The release versions named by `git ls-remote --tags` output, newest first; other tags are ignored. */
export function versionsFromLsRemote(output: string): string[] {
  const found = new Set<string>();
  for (const line of output.split('\n')) {
    const ref = line.split('\t')[1]?.trim();
    const m = ref ? TAG_REF.exec(ref.replace(/\^\{\}$/, '')) : null;
    if (m && isVersion(m[1]!)) found.add(m[1]!);
  }
  return [...found].sort((a, b) => compareVersions(b, a));
}

export function newest(versions: Array<string | undefined>): string | undefined {
  return versions.filter((v): v is string => v !== undefined).sort((a, b) => compareVersions(b, a))[0];
}
