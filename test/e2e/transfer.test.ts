// Everything VS Code and researchers push through the session: scp, sftp,
// rsync, port forwarding (-L, -D), and bulk data both ways.
import { execa } from 'execa';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownTree, homeOf, type Laptop, prepareUser, resetUser } from './harness.js';

const USER = 'dan';
let laptop: Laptop;
let work: string;

beforeAll(async () => {
  laptop = await prepareUser(USER);
  work = path.join(homeOf(USER), 'transfer-test');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work);
  chownTree(USER, work);
  const warm = await laptop.ssh(['slurm-cpu', 'true']);
  expect(warm.exitCode, String(warm.stderr)).toBe(0);
});

afterAll(async () => {
  fs.rmSync(work, { recursive: true, force: true });
  laptop.dispose();
  await resetUser(USER);
});

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function randomFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  for (let left = bytes; left > 0; left -= 1 << 20) fs.writeSync(fd, crypto.randomBytes(Math.min(left, 1 << 20)));
  fs.closeSync(fd);
}

describe('file transfer', () => {
  it('scp up and down', async () => {
    const src = path.join(laptop.dir, 'scp.bin');
    randomFile(src, 3 << 20);
    expect((await execa('scp', ['-F', laptop.config, '-q', src, 'slurm-cpu:transfer-test/scp.bin'], { reject: false })).exitCode).toBe(0);
    const back = path.join(laptop.dir, 'scp.back');
    expect((await execa('scp', ['-F', laptop.config, '-q', 'slurm-cpu:transfer-test/scp.bin', back], { reject: false })).exitCode).toBe(0);
    expect(sha256(back)).toBe(sha256(src));
  });

  it('sftp batch', async () => {
    const src = path.join(laptop.dir, 'sftp.txt');
    fs.writeFileSync(src, 'over sftp\n');
    const batch = path.join(laptop.dir, 'batch');
    fs.writeFileSync(batch, `put ${src} transfer-test/sftp.txt\nls transfer-test\n`);
    const r = await execa('sftp', ['-F', laptop.config, '-b', batch, 'slurm-cpu'], { reject: false });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(fs.readFileSync(path.join(work, 'sftp.txt'), 'utf8')).toBe('over sftp\n');
  });

  it('rsync', async () => {
    const dir = path.join(laptop.dir, 'tree');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sub', 'a.txt'), 'a');
    fs.writeFileSync(path.join(dir, 'b.txt'), 'b');
    const r = await execa('rsync', ['-a', '-e', `ssh -F ${laptop.config}`, `${dir}/`, 'slurm-cpu:transfer-test/tree/'], { reject: false });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(fs.readFileSync(path.join(work, 'tree/sub/a.txt'), 'utf8')).toBe('a');
    expect(fs.readFileSync(path.join(work, 'tree/b.txt'), 'utf8')).toBe('b');
  });

  it('256 MiB each way, byte for byte', async () => {
    const size = 256 << 20;
    const up = path.join(laptop.dir, 'up.bin');
    randomFile(up, size);
    const upload = await execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'sha256sum'], { inputFile: up, reject: false });
    expect(upload.exitCode, String(upload.stderr)).toBe(0);
    expect(String(upload.stdout).split(' ')[0]).toBe(sha256(up));

    const remoteFile = path.join(work, 'down.bin');
    randomFile(remoteFile, size);
    chownTree(USER, remoteFile);
    const down = path.join(laptop.dir, 'down.bin');
    const download = await execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'cat transfer-test/down.bin'], { stdout: { file: down }, buffer: { stdout: false }, reject: false });
    expect(download.exitCode, String(download.stderr)).toBe(0);
    expect(fs.statSync(down).size).toBe(size);
    expect(sha256(down)).toBe(sha256(remoteFile));
  }, 300_000);
});

/** Ask an HTTP server through a plain TCP port or a SOCKS5 proxy; returns the body. */
function httpGet(port: number, socksTarget?: { host: string; port: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let stage = socksTarget ? 'greet' : 'http';
    let buf = Buffer.alloc(0);
    const request = () => s.write('GET /hello.txt HTTP/1.0\r\nHost: x\r\n\r\n');
    s.on('connect', () => (socksTarget ? s.write(Buffer.from([5, 1, 0])) : request()));
    s.on('data', (d) => {
      if (stage === 'greet') {
        const host = Buffer.from(socksTarget!.host);
        s.write(Buffer.concat([Buffer.from([5, 1, 0, 3, host.length]), host, Buffer.from([socksTarget!.port >> 8, socksTarget!.port & 255])]));
        stage = 'connect';
      } else if (stage === 'connect') {
        if (d[1] !== 0) return reject(new Error(`SOCKS connect failed: ${d[1]}`));
        stage = 'http';
        request();
      } else buf = Buffer.concat([buf, d]);
    });
    s.on('end', () => resolve(buf.toString()));
    s.on('error', reject);
  });
}

describe('port forwarding', () => {
  const NODE_PORT = 18765;

  it('ssh -L and ssh -D reach a server on the compute node\'s loopback', async () => {
    fs.writeFileSync(path.join(work, 'hello.txt'), 'hello from the node\n');
    chownTree(USER, work);
    const server = execa('ssh', ['-F', laptop.config, 'slurm-cpu', `cd transfer-test && exec python3 -m http.server ${NODE_PORT} --bind 127.0.0.1`], { reject: false });
    const forward = execa('ssh', ['-F', laptop.config, '-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:18766:127.0.0.1:${NODE_PORT}`, '-D', '127.0.0.1:18767', 'slurm-cpu'], { reject: false });
    try {
      let body = '';
      for (let i = 0; i < 50 && !body.includes('hello from the node'); i++) {
        await new Promise((r) => setTimeout(r, 200));
        body = await httpGet(18766).catch(() => '');
      }
      expect(body).toContain('hello from the node');
      expect(await httpGet(18767, { host: '127.0.0.1', port: NODE_PORT })).toContain('hello from the node');
    } finally {
      forward.kill('SIGTERM');
      server.kill('SIGTERM');
      await Promise.all([forward, server]);
      await laptop.ssh(['slurm-cpu', `pkill -u ${USER} -f "http.server ${NODE_PORT}" || true`]);
    }
  });
});
