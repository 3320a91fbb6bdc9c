// The byte relay between the ssh client (stdin/stdout) and the job's sshd.
// It half-closes: stdin EOF shuts the socket's write side and keeps reading.
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

/**
 * Holds what the ssh client sends while the job is not ready yet (its version
 * banner comes at once) and notices when the client goes away.
 */
export class InputHold {
  readonly chunks: Buffer[] = [];
  ended = false;
  private readonly onData = (chunk: Buffer) => this.chunks.push(chunk);
  private readonly onEnd = () => {
    this.ended = true;
    this.endListener?.();
  };
  private endListener: (() => void) | undefined;

  constructor(private readonly input: Readable) {
    input.on('data', this.onData);
    input.once('end', this.onEnd);
  }

  onceEnded(listener: () => void): void {
    if (this.ended) listener();
    else this.endListener = listener;
  }

  /** Stop holding and take everything read so far, including what Node buffered after the last 'data'. */
  drain(): Buffer[] {
    this.release();
    for (let chunk = this.input.read() as Buffer | null; chunk !== null; chunk = this.input.read() as Buffer | null) this.chunks.push(chunk);
    return this.chunks;
  }

  /** Stop holding; the caller takes over the stream. */
  release(): Buffer[] {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.pause();
    this.endListener = undefined;
    return this.chunks;
  }
}

const HALF_CLOSE_LIMIT_MS = 30_000;

export type RelayEnd =
  | { by: 'client' } // stdin ended first, then the socket
  | { by: 'server' } // the sshd side closed while the client was still connected
  | { by: 'error'; error: Error };

/**
 * Resolves when the socket side is done. Output is NOT ended here: the caller
 * first says why on stderr, then ends stdout (so the message arrives before ssh quits).
 */
export function relay(socket: Socket, input: Readable, output: Writable, held: InputHold, preread: Buffer = Buffer.alloc(0), hangUp?: AbortSignal): Promise<RelayEnd> {
  const inputEnded = held.ended;
  for (const chunk of held.release()) socket.write(chunk);
  if (preread.length) output.write(preread);
  return new Promise((resolve) => {
    let clientDone = inputEnded;
    let settled = false;
    const finish = (end: RelayEnd) => {
      if (settled) return;
      settled = true;
      input.unpipe(socket);
      socket.unpipe(output);
      resolve(end);
    };
    const halfClose = () => {
      clientDone = true;
      socket.end();
      // A peer that never answers the half-close (a crashed node) must not keep the proxy forever.
      setTimeout(() => socket.destroy(), HALF_CLOSE_LIMIT_MS).unref();
    };
    if (clientDone) halfClose();
    else {
      input.pipe(socket, { end: false });
      input.once('end', halfClose);
    }
    socket.resume();
    socket.pipe(output, { end: false });
    socket.once('end', () => {
      // Wait for anything still queued towards the client to be flushed first.
      const by = clientDone ? 'client' : 'server';
      if (output.writableNeedDrain) output.once('drain', () => finish({ by }));
      else finish({ by });
    });
    socket.once('error', (error) => finish({ by: 'error', error }));
    socket.once('close', () => finish({ by: clientDone ? 'client' : 'server' }));
    const clientGone = () => {
      // Nothing more to deliver: the client is gone (EPIPE, or ssh's SIGHUP at its exit).
      finish({ by: 'client' });
      socket.destroy();
    };
    output.once('error', clientGone);
    hangUp?.addEventListener('abort', clientGone, { once: true });
  });
}
