// Whether the client said its ordinary goodbye on a connection whose server
// side closed first: the job's sshd logs "Received disconnect from ADDR port
// PORT:11: " (SSH2_DISCONNECT_BY_APPLICATION, what ssh sends when its session
// is over) before it closes. The same rule as the lean relay's bye_answer
// (relay-script.ts), for the Node relay, which knows its connection's address
// (of either family: sshd logs it as Node writes it). OpenSSH before 7.5 logs
// "Disconnected from ADDR port PORT" after the goodbye: no word of its own.
import fs from 'node:fs';
import { sshdLogFile } from '../paths.js';

/**
 * yes: the sshd's last word on the connection is the client's goodbye (an
 * ordinary end); no: it accepted the connection and said no goodbye last (the
 * job's side ended the session, e.g. its sshd signalled by the job's end);
 * unknown: no log, or the connection not in it.
 */
export type SaidBye = 'yes' | 'no' | 'unknown';

export interface LocalEnd {
  address: string | undefined;
  port: number | undefined;
}

export function clientSaidBye(stateDir: string, jobId: string, local: LocalEnd): SaidBye {
  if (!local.address || !local.port) return 'unknown';
  // sshd logs an IPv4 peer of a dual-stack socket as plain IPv4.
  const address = local.address.replace(/^::ffff:(?=\d+\.)/, '');
  let log: string;
  try {
    log = fs.readFileSync(sshdLogFile(stateDir, jobId), 'latin1');
  } catch {
    return 'unknown';
  }
  const about = `from ${address} port ${local.port}`;
  // "port 4242" must not be taken for "port 42".
  const isAbout = (line: string) => line.split(about).slice(1).some((rest) => !/^[0-9]/.test(rest));
  let last: string | undefined;
  let accepted = false;
  for (const line of log.split('\n')) {
    if (!isAbout(line) || line.startsWith('Disconnected from ')) continue;
    last = line;
    if (line.includes('Accepted ')) accepted = true;
  }
  if (last === undefined) return 'unknown';
  if (last.startsWith(`Received disconnect from ${address} port ${local.port}:11: `)) return 'yes';
  return accepted ? 'no' : 'unknown';
}
