// container_slurm: which parts of the node's Slurm client are mounted, on a
// made-up node laid out as RHEL and as Debian lay it out (ldd answers recorded).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLdd, slurmClientMounts } from '../../../src/job/container/slurm-client.js';
import { tempDirs } from '../../helpers/tmp.js';

const tmp = tempDirs('slurmhop-slurm-client-');

function node(files: Record<string, string>): string {
  const root = tmp();
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text, { mode: 0o755 });
  }
  return root;
}

describe('container_slurm mounts', () => {
  it('RHEL layout: libslurm in /usr/lib64 is mounted as a file, the plugin dir and libmunge (loaded by the munge plugin) too', async () => {
    const root = node({
      'usr/bin/sbatch': '',
      'usr/bin/squeue': '',
      'usr/lib64/libslurm.so.38': '',
      'usr/lib64/libmunge.so.2': '',
      'usr/lib64/slurm/auth_munge.so': '',
      'etc/slurm/slurm.conf': `PluginDir=ROOT/usr/lib64/slurm\nAuthInfo=socket=ROOT/run/munge/munge.socket.2\n`,
      'run/munge/munge.socket.2': '',
    });
    fs.writeFileSync(path.join(root, 'etc/slurm/slurm.conf'), fs.readFileSync(path.join(root, 'etc/slurm/slurm.conf'), 'utf8').replaceAll('ROOT', root));
    const ldd: Record<string, string[]> = {
      [`${root}/usr/bin/sbatch`]: [`${root}/usr/lib64/libslurm.so.38`, '/lib64/libc.so.6'],
      [`${root}/usr/bin/squeue`]: [`${root}/usr/lib64/libslurm.so.38`, '/lib64/libc.so.6'],
      [`${root}/usr/lib64/slurm/auth_munge.so`]: [`${root}/usr/lib64/libmunge.so.2`, '/lib64/libc.so.6'],
    };
    const client = await slurmClientMounts({ PATH: `${root}/usr/bin`, SLURM_CONF: `${root}/etc/slurm/slurm.conf` }, async (f) => ldd[f] ?? []);
    const shown = client.mounts.map((m) => `${m.source.replace(root, '')} -> ${m.target.replace(root, '')}${m.readOnly ? ' ro' : ''}${m.file ? ' file' : ''}`);
    expect(shown).toEqual([
      '/usr/bin/sbatch -> /opt/slurmhop/slurm/bin/sbatch ro file',
      '/usr/bin/squeue -> /opt/slurmhop/slurm/bin/squeue ro file',
      '/etc/slurm -> /etc/slurm ro',
      '/usr/lib64/libslurm.so.38 -> /usr/lib64/libslurm.so.38 ro file',
      '/usr/lib64/libmunge.so.2 -> /usr/lib64/libmunge.so.2 ro file',
      '/usr/lib64/slurm -> /usr/lib64/slurm ro',
      '/run/munge -> /run/munge',
    ]);
    expect(client.env).toEqual({ SLURM_CONF: `${root}/etc/slurm/slurm.conf` });
  });

  it('Debian layout: Slurm\'s own library directory (also its plugin dir) is mounted once', async () => {
    const root = node({ 'usr/bin/srun': '', 'usr/lib/x86_64-linux-gnu/slurm-wlm/libslurmfull.so': '', 'etc/slurm/slurm.conf': 'ClusterName=x\n' });
    const lib = `${root}/usr/lib/x86_64-linux-gnu/slurm-wlm/libslurmfull.so`;
    const client = await slurmClientMounts({ PATH: `${root}/usr/bin`, SLURM_CONF: `${root}/etc/slurm/slurm.conf` }, async (f) => (f.endsWith('srun') ? [lib] : []));
    expect(client.mounts.map((m) => m.target.replace(root, ''))).toEqual(['/opt/slurmhop/slurm/bin/srun', '/etc/slurm', '/usr/lib/x86_64-linux-gnu/slurm-wlm']);
  });

  it('reads ldd output', () => {
    const out = '\tlinux-vdso.so.1 (0x00007ffd)\n\tlibslurmfull.so => /usr/lib/x86_64-linux-gnu/slurm-wlm/libslurmfull.so (0x00007f)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n';
    expect(parseLdd(out)).toEqual(['/usr/lib/x86_64-linux-gnu/slurm-wlm/libslurmfull.so', '/lib/x86_64-linux-gnu/libc.so.6']);
  });
});
