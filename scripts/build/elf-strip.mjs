// Drops an executable's symbol table and debug info (~17 MB of an official
// Node binary) without binutils: GNU strip cannot read aarch64 files on an x64
// host. Only the trailing sections that no loaded segment uses are removed, the
// loaded bytes are copied unchanged; anything unusual leaves the file as it is.
const SHF_ALLOC = 2n;
const SHT_NOBITS = 8;
const SHF_INFO_LINK = 0x40n;

// Returns the stripped bytes, or null when `buf` is not a layout this handles.
export function stripElf(buf) {
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) return null; // ELF64 LE
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  if (shentsize !== 64 || shnum === 0 || shstrndx === 0 || shstrndx >= shnum) return null;

  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * 64;
    sections.push({
      header: buf.subarray(o, o + 64),
      type: buf.readUInt32LE(o + 4),
      flags: buf.readBigUInt64LE(o + 8),
      offset: Number(buf.readBigUInt64LE(o + 24)),
      size: Number(buf.readBigUInt64LE(o + 32)),
      link: buf.readUInt32LE(o + 40),
      info: buf.readUInt32LE(o + 44),
    });
  }
  let keep = 0; // sections [0, keep) stay: up to the last one that is loaded
  sections.forEach((s, i) => {
    if (s.flags & SHF_ALLOC) keep = i + 1;
  });
  if (keep < 2 || shstrndx < keep) return null;

  let cut = phoff + phnum * phentsize;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    cut = Math.max(cut, Number(buf.readBigUInt64LE(o + 8) + buf.readBigUInt64LE(o + 32)));
  }
  for (let i = 1; i < keep; i++) {
    const s = sections[i];
    if (!(s.flags & SHF_ALLOC)) return null;
    if (s.link >= keep || (s.flags & SHF_INFO_LINK && s.info >= keep)) return null;
    if (s.type !== SHT_NOBITS) cut = Math.max(cut, s.offset + s.size);
  }
  for (let i = keep; i < shnum; i++) {
    const s = sections[i];
    if (s.type !== SHT_NOBITS && s.size > 0 && s.offset < cut) return null;
  }
  if (shoff < cut) return null;

  const strtab = sections[shstrndx];
  const names = buf.subarray(strtab.offset, strtab.offset + strtab.size);
  const newShoff = align(cut + names.length, 8);
  const out = Buffer.alloc(newShoff + (keep + 1) * 64);
  buf.copy(out, 0, 0, cut);
  names.copy(out, cut);
  for (let i = 0; i < keep; i++) sections[i].header.copy(out, newShoff + i * 64);
  const sh = newShoff + keep * 64;
  strtab.header.copy(out, sh);
  out.writeBigUInt64LE(BigInt(cut), sh + 24);
  out.writeBigUInt64LE(BigInt(newShoff), 0x28);
  out.writeUInt16LE(keep + 1, 0x3c);
  out.writeUInt16LE(keep, 0x3e);
  return out;
}

function align(n, a) {
  return Math.ceil(n / a) * a;
}
