// `remote shutdown-write`, which the lean relay runs when the client's side
// ends: the built executable half-closes the TCP connection it gets as stdin,
// and the connection stays open the other way.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { artifact, CAN_RUN_X64, SEA } from './artifacts.js';

describe.runIf(CAN_RUN_X64)('remote shutdown-write', () => {
  it('the server sees the end of input and can still answer through the same connection', async () => {
    let answered: (text: string) => void;
    const answer = new Promise<string>((resolve) => (answered = resolve));
    const srv = net.createServer({ allowHalfOpen: true }, (s) => s.on('end', () => s.end('still here')));
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const client = net.connect({ port: (srv.address() as net.AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((resolve) => client.once('connect', resolve));
    let got = '';
    client.on('data', (d) => (got += d));
    client.on('end', () => answered(got));
    // The executable gets a copy of the socket as stdin, as the relay's dd do.
    const fd = (client as unknown as { _handle: { fd: number } })._handle.fd;
    const child = spawn(artifact(SEA.x64), ['shutdown-write'], { stdio: [fd, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    expect(await new Promise((resolve) => child.on('exit', resolve)), stderr).toBe(0);
    expect(await answer).toBe('still here');
    client.destroy();
    srv.close();
  });
});
