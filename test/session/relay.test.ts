// The relay against a real TCP server on loopback.
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { server } from '../helpers/tcp-server.js';
import { InputHold, relay } from '../../src/session/relay.js';


const connect = (port: number) =>
  new Promise<net.Socket>((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
  });

function collect(stream: PassThrough): () => Buffer {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks);
}

describe('relay', () => {
  it('sends held bytes first, then the stream; half-closes on input EOF and keeps reading', async () => {
    let received = Buffer.alloc(0);
    const port = await server((s) => {
      s.on('data', (d) => (received = Buffer.concat([received, d])));
      // Answer only after the client half-closed: proves the read side stayed open.
      s.on('end', () => s.end(Buffer.from(`got ${received.length} bytes`)));
    });
    const input = new PassThrough();
    const output = new PassThrough();
    const out = collect(output);
    const held = new InputHold(input);
    input.write('SSH-2.0-client\r\n');
    await new Promise((r) => setImmediate(r));
    const socket = await connect(port);
    const done = relay(socket, input, output, held);
    input.end(Buffer.alloc(100_000, 1));
    expect(await done).toEqual({ by: 'client' });
    expect(received.subarray(0, 16).toString()).toBe('SSH-2.0-client\r\n');
    expect(received.length).toBe(16 + 100_000);
    expect(out().toString()).toBe(`got ${16 + 100_000} bytes`);
  });

  it('reports the server side closing while the client is still connected', async () => {
    const port = await server((s) => s.end('bye'));
    const input = new PassThrough();
    const output = new PassThrough();
    const out = collect(output);
    const end = await relay(await connect(port), input, output, new InputHold(input));
    expect(end).toEqual({ by: 'server' });
    expect(out().toString()).toBe('bye');
  });

  it('reports a reset connection as an error', async () => {
    const port = await server((s) => s.write('x', () => setTimeout(() => s.resetAndDestroy(), 20)));
    const input = new PassThrough();
    const end = await relay(await connect(port), input, new PassThrough(), new InputHold(input));
    expect(end.by).toBe('error');
    expect(end.by === 'error' && (end.error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('notices that the client went away while held', () => {
    const input = new PassThrough();
    const held = new InputHold(input);
    let ended = false;
    held.onceEnded(() => (ended = true));
    input.end('x');
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(ended).toBe(true);
        expect(Buffer.concat(held.chunks).toString()).toBe('x');
        resolve();
      }),
    );
  });
});
