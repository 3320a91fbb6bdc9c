// The SSH banner probe: an sshd answers a TCP connection with its version
// line first. The login side uses it to tell a job's sshd from anything else on
// the port; the node side, to check that the node's own sshd answers.
import type { Socket } from 'node:net';

export const BANNER_TIMEOUT_MS = 5_000;

/** Reads up to the end of the server's first line (its SSH banner); the bytes are kept for the client. */
export function readBanner(socket: Socket, timeoutMs = BANNER_TIMEOUT_MS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', done);
      socket.off('end', onEnd);
      socket.pause();
      if (err) reject(err);
      else resolve(data);
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.includes(0x0a) || data.length > 512) done();
    };
    const onEnd = () => done(new Error('the connection closed before the SSH banner'));
    const timer = setTimeout(() => done(new Error(`no SSH banner within ${timeoutMs / 1000}s`)), timeoutMs);
    socket.on('data', onData);
    socket.once('error', done);
    socket.once('end', onEnd);
  });
}

/** The software version in an SSH banner (`SSH-2.0-OpenSSH_9.2p1 Debian-2 ...` → `OpenSSH_9.2p1`). */
export function bannerSoftware(banner: string): string | undefined {
  return /^SSH-[0-9.]+-([!-~]+)/.exec(banner)?.[1];
}
