import net from 'node:net';
import { usageError } from '../../errors.js';
import { defineCommand } from '../../command.js';

// Run by the relay's script with the session's socket as stdin: shuts the
// socket's write side (the server then sees the end of input), which dd
// cannot do. shutdown() acts on the connection, not on this process's copy.
export const shutdownWriteCommand = defineCommand({
  name: 'shutdown-write',
  summary: "half-close the TCP connection on stdin (run by the relay when the client's side ends)",
  usage: 'remote shutdown-write <SOCKET',
  internal: true,
  async run({ positionals }) {
    if (positionals.length) throw usageError('remote shutdown-write takes no arguments: the socket is its standard input');
    const socket = new net.Socket({ fd: 0, readable: false, writable: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.end(resolve);
    });
  },
});
