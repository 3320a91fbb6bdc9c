// Extracts one regular file from a .tgz without external tools (npm tarballs
// are ustar; pax and GNU long names are handled for good measure).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

const BLOCK = 512;

export async function extractFile(tgz, wanted, dest) {
  const out = await open(dest, 'w');
  let found = false;
  try {
    let pending = Buffer.alloc(0);
    let remaining = 0; // bytes of the current entry's body still to read
    let skipPad = 0; // padding after the body
    let writing = false;
    let nextName = null; // from a pax or GNU long-name header
    let collect = null; // body of a pax/long-name header being read
    let done = false;
    for await (const chunk of createReadStream(tgz).pipe(createGunzip())) {
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      pending = Buffer.alloc(0);
      let off = 0;
      while (off < buf.length && !done) {
        if (remaining > 0) {
          const n = Math.min(remaining, buf.length - off);
          const part = buf.subarray(off, off + n);
          if (writing) await out.write(part);
          else if (collect) collect.push(Buffer.from(part));
          off += n;
          remaining -= n;
          if (remaining === 0) {
            if (writing) done = true;
            if (collect) {
              nextName = parseLongName(collect.type, Buffer.concat(collect));
              collect = null;
            }
          }
          continue;
        }
        if (skipPad > 0) {
          const n = Math.min(skipPad, buf.length - off);
          off += n;
          skipPad -= n;
          continue;
        }
        if (buf.length - off < BLOCK) {
          pending = Buffer.from(buf.subarray(off));
          break;
        }
        const h = buf.subarray(off, off + BLOCK);
        off += BLOCK;
        if (h.every((b) => b === 0)) {
          done = true;
          break;
        }
        const type = String.fromCharCode(h[156] || 0x30);
        const size = parseOctal(h.subarray(124, 136));
        const name = nextName ?? headerName(h);
        remaining = size;
        skipPad = (BLOCK - (size % BLOCK)) % BLOCK;
        writing = false;
        if (type === 'x' || type === 'L') {
          collect = size > 0 ? Object.assign([], { type }) : null;
          continue;
        }
        nextName = null;
        if (name === wanted) {
          if (type !== '0') throw new Error(`${tgz}: ${wanted} is not a regular file`);
          found = true;
          writing = true;
          if (size === 0) done = true;
        }
      }
      if (done) break;
    }
  } finally {
    await out.close();
  }
  if (!found) throw new Error(`${tgz}: no ${wanted} inside`);
}

function headerName(h) {
  const name = cstr(h.subarray(0, 100));
  const magic = cstr(h.subarray(257, 263));
  const prefix = magic.startsWith('ustar') ? cstr(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function parseLongName(type, body) {
  if (type === 'L') return cstr(body);
  // pax records: "<len> key=value\n"
  for (const rec of body.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(rec);
    if (m) return m[1];
  }
  return null;
}

function parseOctal(field) {
  if (field[0] & 0x80) throw new Error('tar: base-256 sizes are not supported');
  const s = cstr(field).trim();
  return s ? parseInt(s, 8) : 0;
}

function cstr(b) {
  const end = b.indexOf(0);
  return b.subarray(0, end === -1 ? b.length : end).toString('utf8');
}
