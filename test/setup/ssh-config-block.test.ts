import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSshConfigBlock } from '../../src/templates/ssh-config-block.js';
import { proxyCommand, winWord } from '../../src/templates/ssh-config-quote.js';
import { expectGolden } from '../helpers/golden.js';
import { linuxLaptop, onWindows } from './block-inputs.js';
import { tempDirs } from '../helpers/tmp.js';

const golden = (name: string) => path.join(__dirname, 'golden', name);
const tmp = tempDirs('slurmhop-block-');

const linux = linuxLaptop;

describe('the managed block', () => {
  it('Linux, default ~/.ssh/config (no -F)', () => {
    expectGolden(golden('block-linux.ssh_config'), renderSshConfigBlock(linux));
  });

  it('macOS, another config file with spaces, quotes and % in the paths', () => {
    const home = "/Users/Ana O'Neil 100%";
    expectGolden(
      golden('block-macos.ssh_config'),
      renderSshConfigBlock({
        ...linux,
        platform: 'darwin',
        login: { host: 'login.hpc.example.org', port: 2222, user: 'ana' },
        identityFile: `${home}/.ssh/slurmhop_hpc_ed25519`,
        loginKnownHosts: [`${home}/.ssh/known_hosts`, `${home}/.ssh/slurmhop_known_hosts`],
        jobKnownHosts: `${home}/.ssh/slurmhop_known_hosts`,
        sshConfigFile: `${home}/ssh config`,
        controlDir: `${home}/.ssh`,
      }),
    );
  });

  it('remote installed outside the home (a noexec home: setup chose $SCRATCH/slurmhop): the ProxyCommand runs that front by its absolute path', () => {
    const text = renderSshConfigBlock({ ...linux, remote: '/scratch/ana/slurmhop/bin/remote' });
    expect(text).toContain(' hpc /scratch/ana/slurmhop/bin/remote proxy cpu\n');
    expect(text).not.toContain('.local/bin/remote');
    expectGolden(golden('block-linux-install-dir.ssh_config'), text);
  });

  it('Windows: full path of ssh.exe, Windows quoting, %-escaping, no ControlMaster', () => {
    const text = renderSshConfigBlock(onWindows(linux));
    expect(text).not.toContain('ControlMaster');
    expect(text).toContain('ProxyCommand C:\\Windows\\System32\\OpenSSH\\ssh.exe -T -F "C:\\Users\\Ana Maria 100%%\\.ssh\\config-slurm" hpc .local/bin/remote proxy cpu');
    expectGolden(golden('block-windows.ssh_config'), text);
  });

  it('Windows words follow CommandLineToArgvW: quotes escaped, backslashes doubled only before a quote', () => {
    expect(winWord('C:\\plain\\ssh.exe')).toBe('C:\\plain\\ssh.exe');
    expect(winWord('C:\\Program Files\\x\\')).toBe('"C:\\Program Files\\x\\\\"');
    expect(winWord('say "hi"')).toBe('"say \\"hi\\""');
    expect(winWord("O'Brien")).toBe('"O\'Brien"');
    expect(proxyCommand(['ssh', "/a b/it's 5%"], 'linux')).toBe("ssh '/a b/it'\\''s 5%%'");
  });

  it('OpenSSH reads the Linux and macOS blocks back as written (ssh -G)', async () => {
    const dir = tmp();
    const home = path.join(dir, "it's 100% mine");
    const cfg = path.join(home, 'ssh config');
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(
      cfg,
      renderSshConfigBlock({
        ...linux,
        identityFile: `${home}/key`,
        loginKnownHosts: [`${home}/known_hosts`, `${home}/slurmhop_known_hosts`],
        jobKnownHosts: `${home}/slurmhop_known_hosts`,
        sshConfigFile: cfg,
        controlDir: home,
      }),
    );
    const g = async (host: string) => {
      const r = await execa('ssh', ['-G', '-F', cfg, host]);
      return new Map(r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
    };
    const cpu = await g('slurm-cpu');
    // ssh -G shows ProxyCommand before %-expansion; OpenSSH turns %% into % when it runs it.
    const escaped = home.replace(/'/g, `'\\''`).replace(/%/g, '%%');
    expect(cpu.get('proxycommand')).toBe(`ssh -T -F '${escaped}/ssh config' hpc .local/bin/remote proxy cpu`);
    const pct = (p: string) => p.replace(/%/g, '%%'); // -G shows paths before %-expansion too
    expect(cpu.get('identityfile')).toBe(pct(`${home}/key`));
    expect(cpu.get('userknownhostsfile')).toBe(`${home}/slurmhop_known_hosts`); // -G expands this one
    expect(cpu.get('hostkeyalias')).toBe('slurmhop-hpc');
    expect(cpu.get('stricthostkeychecking')).toBe('true');
    const login = await g('hpc');
    expect(login.get('hostname')).toBe('login.hpc.example.org');
    expect(login.get('userknownhostsfile')).toBe(`${home}/known_hosts ${home}/slurmhop_known_hosts`);
    expect(login.get('controlpath')!.startsWith(`${home}/slurmhop-`)).toBe(true); // expanded here: %C became a hash
    // When ssh uses the path, %% is one %: its debug output shows the file it opens.
    const used = await execa('ssh', ['-v', '-F', cfg, '-o', 'ProxyCommand=false', 'slurm-cpu', 'true'], { reject: false });
    expect(used.stderr).toContain(`identity file ${home}/key type`);
    // The ProxyCommand runs under /bin/sh: the quoted -F path arrives as one word.
    const words = await execa('sh', ['-c', `printf '%s\\n' ${cpu.get('proxycommand')!.replace(/%%/g, '%').slice('ssh '.length)}`]);
    expect(words.stdout.split('\n')).toEqual(['-T', '-F', `${home}/ssh config`, 'hpc', '.local/bin/remote', 'proxy', 'cpu']);
  });
});
