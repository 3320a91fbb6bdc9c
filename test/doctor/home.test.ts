// The home directory check: quota (from fake `quota -w -p` output) or the
// filesystem's free space, and ~/.vscode-server's share, in a temporary home.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHome, formatResult } from '../../src/doctor/index.js';
import { homeQuota, mountOf, parseMountinfo, parseQuota } from '../../src/doctor/quota.js';
import { tempDirs } from '../helpers/tmp.js';
import { fakeHome } from './fake-deps.js';
import { quotaLine, quotaOutput } from './quota-output.js';

const tmp = tempDirs('slurmhop-home-');
const GiB_KiB = 2 ** 20;

/** A mountinfo where the home's filesystem is /dev/sdb1 (or an NFS export) on /home, a parent of the temporary home. */
function mountinfoFor(home: string, source = '/dev/sdb1', fsType = 'ext4'): string {
  const mountPoint = path.dirname(fs.realpathSync(home));
  return [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    `45 22 8:17 / ${mountPoint.replace(/ /g, '\\040')} rw,nosuid,relatime shared:30 - ${fsType} ${source} rw`,
    '50 22 0:44 / /scratch rw,relatime shared:31 - nfs4 fs1:/scratch rw,vers=4.2',
  ].join('\n');
}

function withQuota(stdout: string, extra: Partial<Parameters<typeof fakeHome>[1]> = {}) {
  const deps = fakeHome(tmp());
  return { ...deps, quota: async () => ({ stdout, stderr: '', exitCode: 0 }), mountinfo: () => mountinfoFor(deps.home), ...extra };
}

/** n files under ~/.vscode-server/bin/<commit>/ (1 KiB each). */
function vscodeServer(home: string, versions: number, filesEach: number): void {
  for (let v = 0; v < versions; v++) {
    const dir = path.join(home, '.vscode-server', 'bin', String(v).repeat(40).slice(0, 40));
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < filesEach; i++) fs.writeFileSync(path.join(dir, `f${i}`), 'x'.repeat(1024));
  }
  fs.mkdirSync(path.join(home, '.vscode-server', 'data'), { recursive: true });
}

describe('the home directory check', () => {
  it('a quota with room: ok, space and files against their limits, the filesystem quota names', async () => {
    const deps = withQuota(quotaOutput('hal', 1001, [quotaLine('/dev/sdb1', { used: 2 * GiB_KiB, soft: 5 * GiB_KiB, hard: 6 * GiB_KiB }, { used: 1200, soft: 30000, hard: 0 })]));
    const r = await checkHome(deps);
    expect(r.status).toBe('ok');
    expect(r.summary).toBe(`${deps.home}: 2.0 GiB of 5.0 GiB (40 %, hard limit 6.0 GiB), 1,200 of 30,000 files (4 %) (quota on /dev/sdb1)`);
    expect(r.details).toBeUndefined(); // no ~/.vscode-server
  });

  it('above 80 % of the file quota: warn, and the fix names remote cleanup and remote.SSH.serverInstallPath', async () => {
    const deps = withQuota(quotaOutput('hal', 1001, [quotaLine('/dev/sdb1', { used: 1000, soft: 5 * GiB_KiB, hard: 5 * GiB_KiB }, { used: 25_000, soft: 30_000, hard: 30_000 })]));
    const r = await checkHome(deps);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/: 83 % of your file quota is used$/);
    expect(r.fix).toContain('"remote cleanup" removes old VS Code server versions');
    expect(r.fix).toContain('"remote.SSH.serverInstallPath"');
  });

  it('~/.vscode-server holding a large share of the file quota: warn, with its size and versions under the summary', async () => {
    // The real case scaled down: 14,673 of 30,000 files (48 %) becomes 48 of 100.
    const deps = withQuota('');
    vscodeServer(deps.home, 3, 15); // 3 versions x (1 directory + 15 files) + bin, .vscode-server, data = 51 inodes
    deps.quota = async () => ({ stdout: quotaOutput('hal', 1001, [quotaLine('/dev/sdb1', { used: 400, soft: 0, hard: 0 }, { used: 60, soft: 100, hard: 120 })]), stderr: '', exitCode: 0 });
    const r = await checkHome(deps);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain(`${deps.home}: 400.0 KiB (no limit), 60 of 100 files (60 %, hard limit 120) (quota on /dev/sdb1): ~/.vscode-server holds 51 % of your file quota`);
    expect(r.details).toEqual([expect.stringMatching(/^~\/\.vscode-server: \d+\.\d KiB in 51 files, 3 server versions, 1 older than the newest 2$/)]);
    expect(formatResult(r).at(-1)).toMatch(/^ {23}fix: "remote cleanup" removes old VS Code server versions/);
  });

  it('a quota used up (at the hard limit, or over the soft one after its grace): FAIL', async () => {
    const hard = withQuota(quotaOutput('hal', 1001, [quotaLine('/dev/sdb1', { used: 5 * GiB_KiB, soft: 4 * GiB_KiB, hard: 5 * GiB_KiB, grace: 1, over: true }, { used: 10, soft: 0, hard: 0 })]));
    expect(await checkHome(hard)).toMatchObject({ status: 'fail', summary: expect.stringContaining(`your space quota is used up: nothing more can be written to ${hard.home}`) });
    const now = Date.now();
    const graceOver = withQuota(quotaOutput('hal', 1001, [quotaLine('/dev/sdb1', { used: 10, soft: 0, hard: 0 }, { used: 101, soft: 100, hard: 200, grace: Math.floor(now / 1000) - 60, over: true })]), { now: () => now });
    expect((await checkHome(graceOver)).status).toBe('fail');
    const inGrace = withQuota(quotaOutput('hal', 1001, [quotaLine('/dev/sdb1', { used: 10, soft: 0, hard: 0 }, { used: 101, soft: 100, hard: 200, grace: Math.floor(now / 1000) + 3600, over: true })]), { now: () => now });
    expect(await checkHome(inGrace)).toMatchObject({ status: 'warn', summary: expect.stringContaining('101 % of your file quota is used') });
  });

  it('the home\'s line among other filesystems\' (an NFS home, by its export)', async () => {
    const deps = withQuota(
      quotaOutput('hal', 1001, [
        quotaLine('fs1:/scratch', { used: 10, soft: 100, hard: 100 }, { used: 99, soft: 100, hard: 100 }),
        quotaLine('homesrv.example.org:/export/home', { used: 1024, soft: 4096, hard: 4096 }, { used: 10, soft: 1000, hard: 1000 }),
      ]),
    );
    deps.mountinfo = () => mountinfoFor(deps.home, 'homesrv.example.org:/export/home', 'nfs4');
    const r = await checkHome(deps);
    expect(r.status).toBe('ok');
    expect(r.summary).toMatch(/1\.0 MiB of 4\.0 MiB \(25 %\), 10 of 1,000 files \(1 %\) \(quota on homesrv\.example\.org:\/export\/home\)$/);
  });

  it('no quota for the home: the filesystem\'s free space (what df shows), and why there is no quota', async () => {
    const none = fakeHome(tmp());
    const r = await checkHome(none);
    expect(r).toMatchObject({ status: 'ok', summary: `${none.home}: no quota reported (quota is not installed); its filesystem (/dev/sda1 on /) has 60.0 GiB of 100.0 GiB free, 900,000 of 1,000,000 files free` });
    const empty = withQuota(quotaOutput('hal', 1001, []));
    expect((await checkHome(empty)).summary).toContain('no quota reported (quota lists none for you); its filesystem (/dev/sdb1 on ');
    const silent = { ...withQuota(''), quota: async () => ({ stdout: '', stderr: '', exitCode: 1 }) }; // quota 4.06 with no quota anywhere
    expect((await checkHome(silent)).summary).toContain('no quota reported (quota lists none for you)');
    const other = withQuota(quotaOutput('hal', 1001, [quotaLine('fs1:/scratch', { used: 10, soft: 100, hard: 100 }, { used: 1, soft: 100, hard: 100 })]));
    expect((await checkHome(other)).summary).toContain('no quota reported (quota lists fs1:/scratch, not /dev/sdb1)');
    const slow = { ...withQuota(''), quota: async () => ({ stdout: '', stderr: '', exitCode: -1, timedOut: true }) };
    expect((await checkHome(slow)).summary).toContain('no quota reported (quota did not answer within 10s)');
  });

  it('a nearly full filesystem and no quota: warn; a filesystem without a fixed number of files (btrfs): space only', async () => {
    const full = { ...fakeHome(tmp()), filesystem: () => ({ totalBytes: 100 * 2 ** 30, availableBytes: 5 * 2 ** 30, files: 0, freeFiles: 0 }) };
    const r = await checkHome(full);
    expect(r.status).toBe('warn');
    expect(r.summary).toBe(`${full.home}: no quota reported (quota is not installed); its filesystem (/dev/sda1 on /) has 5.0 GiB of 100.0 GiB free: its filesystem is 95 % full`);
    expect(r.fix).toContain('remote cleanup');
  });

  it('a walk of ~/.vscode-server that reaches its deadline says so', async () => {
    const deps = fakeHome(tmp());
    vscodeServer(deps.home, 1, 600);
    let clock = 0;
    deps.now = () => (clock += 3_000); // every look at the clock is 3 s later: the second look inside the walk is past 5 s
    const r = await checkHome(deps);
    expect(r.details).toEqual([expect.stringMatching(/^~\/\.vscode-server: .* in \d+ files \(at least: stopped counting after 5s\), 1 server version$/)]);
  });
});

describe('quota and mount parsing', () => {
  it('reads each filesystem line of quota -w -p, over-limit marks and raw grace times included; headings and "none" are not lines', () => {
    const out = quotaOutput('hal', 1001, [
      quotaLine('/dev/mapper/vg0-home', { used: 5_300_000, soft: 5_000_000, hard: 6_000_000, grace: 1_767_000_000, over: true }, { used: 14673, soft: 30000, hard: 0 }),
    ]);
    expect(parseQuota(out)).toEqual([
      { filesystem: '/dev/mapper/vg0-home', space: { used: 5_300_000 * 1024, soft: 5_000_000 * 1024, hard: 6_000_000 * 1024, grace: 1_767_000_000 }, files: { used: 14673, soft: 30000, hard: 0, grace: 0 } },
    ]);
    expect(parseQuota(quotaOutput('hal', 1001, []))).toEqual([]);
    expect(parseQuota('')).toEqual([]);
    // Without -p a grace is words ("6days") or empty: such a line is not read as numbers.
    expect(parseQuota('      /dev/sdb1 5300000* 5000000 6000000   6days   14673   30000       0\n')).toEqual([]);
  });

  it('the home\'s mount is the longest mount point above it (escaped spaces decoded), and its quota line is the one of its source', () => {
    const mounts = parseMountinfo(['22 1 8:1 / / rw - ext4 /dev/sda1 rw', '45 22 8:17 / /home rw shared:3 - ext4 /dev/sdb1 rw', '46 22 8:18 / /home/my\\040lab rw - xfs /dev/sdc1 rw'].join('\n'));
    expect(mountOf('/home/hal', mounts)).toMatchObject({ mountPoint: '/home', source: '/dev/sdb1' });
    expect(mountOf('/home/my lab/ana', mounts)).toMatchObject({ mountPoint: '/home/my lab', source: '/dev/sdc1' });
    expect(mountOf('/homework', mounts)).toMatchObject({ mountPoint: '/' });
    const lines = parseQuota(quotaOutput('hal', 1001, [quotaLine('/dev/sdc1', { used: 1, soft: 2, hard: 2 }, { used: 1, soft: 2, hard: 2 }), quotaLine('/dev/sdb1', { used: 1, soft: 2, hard: 2 }, { used: 1, soft: 2, hard: 2 })]));
    expect(homeQuota(lines, mountOf('/home/hal', mounts))?.filesystem).toBe('/dev/sdb1');
    expect(homeQuota(lines, undefined)).toBeUndefined();
  });
});
