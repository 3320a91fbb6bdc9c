// A small ELF64 little-endian reader for the build tests: machine type and the
// symbol versions a binary needs from its shared libraries (.gnu.version_r),
// so glibc requirements are checked without binutils.
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
const SHT_GNU_VERNEED = 0x6ffffffe;

export function elfMachine(buf: Buffer): number {
  if (buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  return buf.readUInt16LE(0x12);
}

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
}

function sections(buf: Buffer): Section[] {
  elfMachine(buf);
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    out.push({
      type: buf.readUInt32LE(o + 4),
      offset: Number(buf.readBigUInt64LE(o + 24)),
      size: Number(buf.readBigUInt64LE(o + 32)),
      link: buf.readUInt32LE(o + 40),
      info: buf.readUInt32LE(o + 44),
    });
  }
  return out;
}

function cstr(buf: Buffer, at: number): string {
  return buf.toString('latin1', at, buf.indexOf(0, at));
}

/** Needed symbol versions by library, e.g. { 'libc.so.6': ['GLIBC_2.17', ...] }. */
export function neededVersions(buf: Buffer): Record<string, string[]> {
  const all = sections(buf);
  const verneed = all.find((s) => s.type === SHT_GNU_VERNEED);
  if (!verneed) throw new Error('no .gnu.version_r section');
  const strtab = all[verneed.link];
  if (!strtab) throw new Error('.gnu.version_r links to a missing string table');
  const result: Record<string, string[]> = {};
  let entry = verneed.offset;
  for (let n = 0; n < verneed.info; n++) {
    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
    const count = buf.readUInt16LE(entry + 2);
    const file = cstr(buf, strtab.offset + buf.readUInt32LE(entry + 4));
    const names: string[] = (result[file] ??= []);
    let aux = entry + buf.readUInt32LE(entry + 8);
    for (let k = 0; k < count; k++) {
      // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
      names.push(cstr(buf, strtab.offset + buf.readUInt32LE(aux + 8)));
      aux += buf.readUInt32LE(aux + 12);
    }
    const next = buf.readUInt32LE(entry + 12);
    if (next === 0) break;
    entry += next;
  }
  return result;
}

/** Highest version with the given prefix ("GLIBC_" -> [2, 28]), or undefined. */
export function maxVersion(versions: Record<string, string[]>, prefix: string): number[] | undefined {
  let best: number[] | undefined;
  for (const name of Object.values(versions).flat()) {
    if (!name.startsWith(prefix)) continue;
    const v = name.slice(prefix.length).split('.').map(Number);
    if (v.some(Number.isNaN)) continue;
    if (!best || compareVersions(v, best) > 0) best = v;
  }
  return best;
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
