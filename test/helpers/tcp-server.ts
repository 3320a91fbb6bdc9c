// A TCP server on loopback for relay tests, closed after each test.
import net from 'node:net';
import { afterEach } from 'vitest';

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** Listens on a free loopback port (half-open sockets allowed) and resolves to it. */
export function server(onSocket: (s: net.Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer({ allowHalfOpen: true }, onSocket);
    servers.push(srv);
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port));
  });
}
