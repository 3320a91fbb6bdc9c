// node delay-proxy.mjs LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS
// A slow controller for the benchmark: forwards TCP connections to slurmctld
// and holds each of its answers DELAY_MS before passing it on (tc netem is not
// in every kernel; this machine's has none). Runs until killed.
import net from 'node:net';

const [listen, host, port, delay] = process.argv.slice(2);
net
  .createServer({ allowHalfOpen: true }, (client) => {
    const server = net.connect({ host, port: Number(port), allowHalfOpen: true });
    client.pipe(server);
    // Each chunk of the answer goes on DELAY_MS after it arrived, in order
    // (a many-chunk answer is late by DELAY_MS once, not once per chunk).
    let last = Promise.resolve();
    server.on('data', (chunk) => {
      const due = Date.now() + Number(delay);
      last = last.then(() => new Promise((resolve) => setTimeout(() => resolve(client.write(chunk)), Math.max(0, due - Date.now()))));
    });
    server.on('end', () => last.then(() => client.end()));
    const drop = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', drop);
    server.on('error', drop);
  })
  .listen(Number(listen), '0.0.0.0', () => process.stdout.write(`listening ${listen}\n`));
