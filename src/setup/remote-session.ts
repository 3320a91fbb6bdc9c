// The wizard's connection to the login node (ssh2): commands run through
// `/bin/sh -s` with the script on stdin, so the user's login shell (bash,
// tcsh, fish) never parses them; files go over SFTP.
import type { Client, SFTPWrapper } from 'ssh2';
import { shellQuote } from '../templates/render.js';
import { setupError } from './errors.js';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RemoteSession {
  /** Run a POSIX sh script with arguments ($1 ...). */
  sh(script: string, args?: string[]): Promise<ExecResult>;
  upload(local: string, remote: string, onProgress?: (done: number, total: number) => void): Promise<void>;
  writeFile(remote: string, content: string, mode: number): Promise<void>;
  end(): void;
}

export function remoteSession(client: Client): RemoteSession {
  let sftp: Promise<SFTPWrapper> | undefined;
  const getSftp = () =>
    (sftp ??= new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s)))));
  return {
    sh(script, args = []) {
      const command = ['/bin/sh', '-s', '--', ...args.map(shellQuote)].join(' ');
      return new Promise((resolve, reject) => {
        client.exec(command, (err, stream) => {
          if (err) return reject(setupError('cluster-step', `cannot run a command on the login node: ${err.message}`));
          const out: Buffer[] = [];
          const errOut: Buffer[] = [];
          stream.on('data', (d: Buffer) => out.push(d));
          stream.stderr.on('data', (d: Buffer) => errOut.push(d));
          stream.on('close', (code: number | null) =>
            resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') }),
          );
          stream.end(script);
        });
      });
    },
    async upload(local, remote, onProgress) {
      const s = await getSftp();
      await new Promise<void>((resolve, reject) =>
        s.fastPut(local, remote, { mode: 0o600, concurrency: 32, step: (done, _chunk, total) => onProgress?.(done, total) }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    },
    async writeFile(remote, content, mode) {
      const s = await getSftp();
      await new Promise<void>((resolve, reject) => s.writeFile(remote, content, { mode }, (err) => (err ? reject(err) : resolve())));
    },
    end() {
      client.end();
    },
  };
}
