// Ports on the laptop: a port given on the command line, and the local end of
// a forward, which listens on the laptop's loopback only.
import net from 'node:net';
import { setupError } from '../setup/index.js';

export const LOOPBACK = '127.0.0.1';

/** A TCP port as typed: 1 to 65535. */
export function parsePort(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw setupError('usage', `${what} must be a port number from 1 to 65535${text === undefined ? '' : `, not "${text}"`}`);
  }
  return Number(text);
}

/** Whether something may listen on the laptop's loopback at `port` now (0: whether any port is free). */
export function listenable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * The local port of a forward: the one asked for (an error when it is taken),
 * else the remote port when it is free here, else one the system picks.
 */
export async function localPort(asked: number | undefined, remotePort: number, free: (port: number) => Promise<number | undefined> = listenable): Promise<number> {
  if (asked !== undefined) {
    if ((await free(asked)) === undefined) throw setupError('usage', `port ${asked} on this computer is in use (or not yours to listen on)`, `choose another local port, or leave it out to get a free one`);
    return asked;
  }
  const port = (remotePort >= 1024 ? await free(remotePort) : undefined) ?? (await free(0));
  if (port === undefined) throw setupError('local-file', 'no port is free on this computer\'s loopback (127.0.0.1)');
  return port;
}
