// TCP listeners on loopback for relay tests, closed after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterEach } from 'vitest';

const servers: net.Server[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  servers.splice(0).forEach((s) => s.close());
  children.splice(0).forEach((c) => c.kill());
});

/** Listens on a free loopback port (half-open sockets allowed) and resolves to it. */
export function server(onSocket: (s: net.Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer({ allowHalfOpen: true }, onSocket);
    servers.push(srv);
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port));
  });
}

/**
 * A listener as OpenSSH before 8.7 leaves it when a SIGTERM lands outside its
 * select() (sshd.c server_accept_loop, bz#2158): asleep with its socket open,
 * so the kernel completes a connect; the connect wakes it, it sees the signal,
 * closes the socket (the queued connection is reset) and exits, never
 * accepting. A real perl process on `port` (0: any free one).
 */
export async function listenerWithPendingSigterm(port = 0): Promise<{ port: number; exited: Promise<void> }> {
  const script = `use Socket;
socket(my $l, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($l, SOL_SOCKET, SO_REUSEADDR, 1) or die "setsockopt: $!";
bind($l, pack_sockaddr_in($ARGV[0], INADDR_LOOPBACK)) or die "bind: $!";
listen($l, 16) or die "listen: $!";
my ($port) = unpack_sockaddr_in(getsockname($l));
$| = 1; print "$port\\n";
my $r = ''; vec($r, fileno($l), 1) = 1;
select($r, undef, undef, undef);
close($l);`;
  const { child, port: listening } = await perlListener(script, [String(port)], `the listener did not start on port ${port}`);
  return { port: listening, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
}

/** A perl listener (killed after the test) whose script prints its port on its first line, once it listens. */
async function perlListener(script: string, args: string[], failure: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn('perl', ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => reject(new Error(failure)));
    child.once('error', reject);
  });
  return { child, port: Number(line) };
}

/**
 * A port whose connects never complete, as a dead node's (its SYNs dropped): a
 * real perl listener that never accepts, its accept queue filled (listen's
 * backlog 0), so Linux drops every later SYN (syncookies too) and a connect waits.
 */
export async function unansweredPort(): Promise<number> {
  const script = `use Socket;
socket(my $l, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
bind($l, pack_sockaddr_in(0, INADDR_LOOPBACK)) or die "bind: $!";
listen($l, 0) or die "listen: $!";
my ($port) = unpack_sockaddr_in(getsockname($l));
$| = 1; print "$port\\n";
sleep;`;
  const { child, port } = await perlListener(script, [], 'the unanswering listener did not start');
  // Fill the queue: connects complete until it is full; the first that does not within 0.5 s shows it is.
  const fillers: net.Socket[] = [];
  child.once('exit', () => fillers.forEach((s) => s.destroy()));
  for (let i = 0; i < 16; i++) {
    const s = net.connect(port, '127.0.0.1');
    fillers.push(s);
    s.on('error', () => {});
    const done = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 500);
      s.once('connect', () => (clearTimeout(timer), resolve(true)));
    });
    if (!done) return port;
  }
  throw new Error('the unanswering listener accepted 16 connects: its queue never filled');
}
