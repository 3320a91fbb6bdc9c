// The front's bash decisions against the TypeScript they are made from, over
// many inputs: a profile name (paths.ts PROFILE_NAME), a job sshd's banner
// (session/endpoint.ts expectedBanner), the contact's JSON (JSON.parse). The
// front may refuse more (then the executable decides) but never accepts what
// the TypeScript refuses, nor reads a value the TypeScript would not.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bashWord } from '../../src/bash-text.js';
import { FLAT_OBJECT, JSON_GET, profileNameTest } from '../../src/front/warm.js';
import { BANNER_OK } from '../../src/session/relay-script.js';
import { PROFILE_NAME } from '../../src/paths.js';
import { expectedBanner } from '../../src/session/endpoint.js';

/** Runs `body` in bash (C locale, as the front) once per input (NUL-separated on stdin); one output line each. */
function bashEach(prelude: string, body: string, inputs: string[]): string[] {
  const script = `LC_ALL=C\n${prelude}\nwhile IFS= read -r -d '' input; do ${body}; done`;
  const r = spawnSync('/bin/bash', ['-c', script], { input: Buffer.from(inputs.map((i) => `${i}\0`).join(''), 'latin1'), encoding: 'latin1' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').slice(0, -1);
}

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function strings(alphabet: string[], count: number, maxParts: number, seed: number): string[] {
  const r = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(r() * maxParts) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''));
}

describe("the front's bash against the TypeScript it is made from", () => {
  it('profile names: the same answer as PROFILE_NAME, for every name', () => {
    const names = [...strings(['a', 'z', '0', '9', '_', '-', 'A', '.', '/', 'é', ' ', '*', '$x'], 4000, 36, 1), 'cpu', 'gpu-a100', '12345', '0a', '-x', '_x', 'a'.repeat(32), 'a'.repeat(33), ''];
    const bash = bashEach('', `name=$input; if ${profileNameTest()}; then echo yes; else echo no; fi`, names);
    const disagree = names.filter((n, i) => (bash[i] === 'yes') !== PROFILE_NAME.test(n));
    expect(disagree).toEqual([]);
  });

  it("banners: never accepted where expectedBanner refuses, and the same answer for every printable one (tcp and node-sshd)", () => {
    const parts = ['SSH-2.0-', 'SSH-1.99-', 'SSH-2.0', 'OpenSSH_9.2p1', ' ', '\t', 'slurmhop-12', 'slurmhop-123', 'slurmhop-1', 'x', '-', '_', '.', '\xa0', '\xe9', '\r', '1', 'Debian-2'];
    const banners = [...strings(parts, 6000, 7, 2).map((b, i) => (i % 3 ? `SSH-2.0-${b}` : b)), 'SSH-2.0-OpenSSH_9.2p1 slurmhop-12\r', 'SSH-2.0-slurmhop-12', 'SSH-2.0-x slurmhop-12', `SSH-2.0-${'x'.repeat(300)} slurmhop-12`];
    for (const transport of ['tcp', 'node-sshd'] as const) {
      const bash = bashEach(BANNER_OK, `if banner_ok ${transport} 12 "$input"; then echo yes; else echo no; fi`, banners);
      const js = banners.map((b) => expectedBanner({ jobId: '12', transport }).test(b));
      const printable = (b: string) => /^[ -~]*\r?$/.test(b) && b.replace(/\r$/, '').length < 255;
      expect(banners.filter((b, i) => bash[i] === 'yes' && !js[i])).toEqual([]);
      expect(banners.filter((b, i) => printable(b) && (bash[i] === 'yes') !== js[i])).toEqual([]);
      expect(bash.filter((a) => a === 'yes').length).toBeGreaterThan(20);
    }
  });

  it("contacts: what the front reads from the file is what JSON.parse reads, and what it cannot read it leaves to the executable", () => {
    const contact = { version: 1, jobId: '12', profile: 'cpu', node: 'c1', port: 40123, user: 'ana', pid: 9, readyAt: '2026-12-06T20:00:00.000Z', transport: 'tcp', hostKeys: ['ssh-ed25519 AAAA+/='], alive: true };
    const texts = [JSON.stringify(contact), JSON.stringify({ ...contact, transport: undefined }), JSON.stringify({ ...contact, user: 'a,"port":1,"x' })];
    const r = random(3);
    const cut = (t: string) => t.slice(0, Math.floor(r() * t.length)) + t.slice(Math.floor(r() * t.length));
    const swap = (t: string) => t.replace(/"port":\d+/, `"port":${['1e3', '0', '01', '-5', '"40123"', '40123.0', '40123,"port":1', 'true'][Math.floor(r() * 8)]}`);
    const mutated = Array.from({ length: 1500 }, (_, i) => [cut, swap, (t: string) => ` ${t}`, (t: string) => t.replace('"', '\\"')][i % 4]!(texts[i % texts.length]!));
    const corpus = [...texts, ...mutated, JSON.stringify(contact, null, 1), `${JSON.stringify(contact)}\n\n`];
    const keys = ['version', 'jobId', 'profile', 'node', 'port', 'transport', 'alive'];
    const bash = bashEach(
      `flat_object=${bashWord(FLAT_OBJECT)}\n${JSON_GET}`,
      `text=\${input%$'\\n'}; if [[ $text =~ $flat_object ]]; then out=ok; for k in ${keys.join(' ')}; do if json_get "$k" '[^,}]*'; then out+="|$got"; else out+='|-'; fi; done; echo "$out"; else echo refused; fi`,
      corpus,
    );
    let read = 0;
    corpus.forEach((text, i) => {
      if (bash[i] === 'refused') return;
      read++;
      // What the front read, the executable reads alike, key by key (a key it cannot
      // read it never uses: warm.ts then leaves the contact to the executable).
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const values = bash[i]!.split('|').slice(1);
      keys.forEach((k, j) => {
        if (values[j] !== '-') expect(JSON.parse(values[j]!), `${text} ${k}`).toEqual(parsed[k]);
      });
    });
    expect(read).toBeGreaterThan(3);
  });
});
