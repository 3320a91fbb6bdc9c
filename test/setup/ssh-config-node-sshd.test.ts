// transport = node-sshd in the managed block: its own HostKeyAlias, strict
// checking, and the node's keys asked from the login node (KnownHostsCommand).
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSshConfig } from '../../src/setup/ssh-config-plan.js';
import { renderSshConfigBlock, type SshBlockInput } from '../../src/templates/ssh-config-block.js';
import { argvCommand } from '../../src/templates/ssh-config-quote.js';
import { expectGolden } from '../helpers/golden.js';
import { linuxLaptop, onWindows } from './block-inputs.js';
import { tempDirs } from '../helpers/tmp.js';

const golden = (name: string) => path.join(__dirname, 'golden', name);
const tmp = tempDirs('slurmhop-block-node-');

const linux: SshBlockInput = { ...linuxLaptop, profiles: ['cpu', 'adopt'], nodeSshdProfiles: ['adopt'], sshAbsolutePath: '/usr/bin/ssh' };

describe('a node-sshd profile in the managed block', () => {
  it('Linux golden: KnownHostsCommand for the node-sshd profile and for the current session, nowhere else', () => {
    const text = renderSshConfigBlock(linux);
    expectGolden(golden('block-linux-node-sshd.ssh_config'), text);
    expect(text.match(/KnownHostsCommand/g)).toHaveLength(2);
    expect(text).not.toMatch(/StrictHostKeyChecking (no|accept-new)/);
  });

  it('Windows golden: ssh.exe and the -F path with spaces and % as argv words', () => {
    const text = renderSshConfigBlock(onWindows(linux));
    expect(text).toContain('KnownHostsCommand C:/Windows/System32/OpenSSH/ssh.exe -T -F "C:/Users/Ana Maria 100%%/.ssh/config-slurm" hpc .local/bin/remote known-hosts adopt %H');
    expectGolden(golden('block-windows-node-sshd.ssh_config'), text);
  });

  it('argv words: quotes only around spaces, \\ " \' escaped, % doubled in the arguments (OpenSSH expands only those)', () => {
    expect(argvCommand(['/my 5%/ssh', '-F', "/a b/it's 5%", ''], 'linux')).toBe(`"/my 5%/ssh" -F "/a b/it\\'s 5%%" ""`);
  });

  it('OpenSSH reads it back (ssh -G) and runs the command as the words written', async () => {
    const dir = tmp();
    const home = path.join(dir, "it's 100% mine");
    const cfg = path.join(home, 'ssh config');
    fs.mkdirSync(home, { recursive: true });
    // A stand-in for the login ssh (KnownHostsCommand runs it): records its words, prints $KEYS.
    const fake = path.join(home, 'login ssh');
    const words = path.join(dir, 'words');
    fs.writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > ${words}\nprintf '%s' "$KEYS"\n`, { mode: 0o755 });
    fs.writeFileSync(cfg, renderSshConfigBlock({ ...linux, sshProgram: fake, sshAbsolutePath: fake, identityFile: `${home}/key`, jobKnownHosts: `${home}/slurmhop_known_hosts`, sshConfigFile: cfg, controlDir: home }));
    const g = async (host: string) => {
      const r = await execa('ssh', ['-G', '-F', cfg, host]);
      return new Map(r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
    };
    const adopt = await g('slurm-adopt');
    expect(adopt.get('hostkeyalias')).toBe('slurmhop-hpc-nodes');
    expect(adopt.get('stricthostkeychecking')).toBe('true');
    expect(adopt.get('knownhostscommand')).toContain('known-hosts adopt %H');
    expect((await g('slurm')).get('knownhostscommand')).toContain('known-hosts --current %H');
    expect((await g('slurm-cpu')).get('knownhostscommand')).toBeUndefined();

    // A real sshd (inetd mode, as the ProxyCommand) with a fresh host key: ssh must ask the command and trust only what it prints.
    const keys = tmp();
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${keys}/hk`]);
    const connect = (env: Record<string, string>) =>
      execa('ssh', ['-F', cfg, '-o', `ProxyCommand=/usr/sbin/sshd -i -f /dev/null -h ${keys}/hk -o PubkeyAuthentication=no -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no`, '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', 'slurm-adopt', 'true'], { reject: false, env: { ...process.env, ...env } });
    const unknown = await connect({ KEYS: '' });
    expect(unknown.exitCode).toBe(255);
    expect(unknown.stderr).toMatch(/No ED25519 host key is known for slurmhop-hpc-nodes and you have requested strict checking/);
    expect(fs.readFileSync(words, 'utf8').split('\n').slice(0, -1)).toEqual(['-T', '-F', cfg, 'hpc', '.local/bin/remote', 'known-hosts', 'adopt', 'slurmhop-hpc-nodes']);
    const other = (await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${keys}/other`])) && fs.readFileSync(`${keys}/other.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const changed = await connect({ KEYS: `slurmhop-hpc-nodes ${other}\n` });
    expect(changed.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    const right = fs.readFileSync(`${keys}/hk.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const known = await connect({ KEYS: `slurmhop-hpc-nodes ${right}\n` });
    expect(known.stderr).not.toMatch(/Host key verification failed|host key is known/);
    expect(known.stderr).toMatch(/Permission denied/); // past the host key check: only authentication is left
  });
});

describe('the plan checks the block wins for KnownHostsCommand too', () => {
  it('a KnownHostsCommand before the block that would apply to the node-sshd host stops the wizard', () => {
    const before = `Host slurm-*\n  KnownHostsCommand /bin/echo\n${renderSshConfigBlock(linux)}`;
    expect(() => planSshConfig(before, '/home/ana/.ssh/config', linux, 'hpc', '\n')).toThrow(/config:2: "knownhostscommand \/bin\/echo" comes before the slurmhop block/i);
  });
});
