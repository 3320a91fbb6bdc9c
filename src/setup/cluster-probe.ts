// What the wizard needs to know about the login node, in one round trip:
// architecture, C library, home, where executables may run (install-place.ts),
// and the files it may change.
import { setupError } from './errors.js';
import { parsePlaces, PLACE_PROBE, type PlaceProbe } from './install-place.js';
import type { RemoteArch } from './remote-binary.js';
import type { RemoteSession } from './remote-session.js';

export interface ClusterFacts {
  home: string;
  arch: string;
  glibc?: string | undefined;
  /** Where a file could be run (~/.local, else the candidates), or --install-dir's directory. */
  places: PlaceProbe[];
  authorizedKeys: string;
  configIni?: string | undefined;
  configIniPath: string;
  hostKeyPub?: string | undefined;
  homeMode: string;
}

const SCRIPT = `
set -u
cfg=\${XDG_CONFIG_HOME:-$HOME/.config}/slurmhop/config.ini
state=\${XDG_STATE_HOME:-$HOME/.local/state}/slurmhop
echo "home=$HOME"
echo "arch=$(uname -m)"
echo "glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null)"
echo "homemode=$(stat -c %a "$HOME" 2>/dev/null)"
echo "cfg=$cfg"
${PLACE_PROBE}
if [ -f "$state/hostkey/ssh_host_ed25519_key.pub" ]; then echo "hostkey=$(cat "$state/hostkey/ssh_host_ed25519_key.pub")"; fi
echo "--authorized_keys"
cat "$HOME/.ssh/authorized_keys" 2>/dev/null
echo "--config.ini"
if [ -f "$cfg" ]; then echo present; cat "$cfg"; fi
`;

/** `installDir`: --install-dir's value, tested instead of the usual places. */
export async function probeCluster(session: RemoteSession, installDir?: string): Promise<ClusterFacts> {
  const r = await session.sh(SCRIPT, [installDir ?? '']);
  if (r.code !== 0 && !r.stdout.includes('--config.ini')) {
    throw setupError('cluster-step', `cannot inspect the login node (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`, 'is /bin/sh there? Does your login shell print anything for non-interactive logins?');
  }
  const [head, rest] = split(r.stdout, '--authorized_keys\n');
  const [keys, cfg] = split(rest, '--config.ini\n');
  const kv = Object.fromEntries(head.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return {
    home: kv.home ?? '',
    arch: kv.arch ?? '',
    glibc: kv.glibc || undefined,
    places: parsePlaces(head.split('\n')),
    hostKeyPub: kv.hostkey || undefined,
    homeMode: kv.homemode ?? '',
    authorizedKeys: keys,
    configIni: cfg.startsWith('present\n') ? cfg.slice('present\n'.length) : undefined,
    configIniPath: kv.cfg ?? '.config/slurmhop/config.ini',
  };
}

function split(text: string, marker: string): [string, string] {
  const i = text.indexOf(marker);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + marker.length)];
}

/** The architecture of the executable for the login node, or a clear refusal. */
export function binaryFor(facts: ClusterFacts): RemoteArch {
  const m = /^glibc (\d+)\.(\d+)/.exec(facts.glibc ?? '');
  if (!m) {
    throw setupError('cluster-unsupported', `the login node has no GNU C library (getconf GNU_LIBC_VERSION says "${facts.glibc ?? ''}")`, 'remote needs Linux with glibc 2.28 or newer (musl systems such as Alpine are not supported)');
  }
  if (Number(m[1]) < 2 || (Number(m[1]) === 2 && Number(m[2]) < 28)) {
    throw setupError('cluster-unsupported', `the login node has glibc ${m[1]}.${m[2]}; remote needs 2.28 or newer`, 'ask your administrators which login nodes run a newer OS (RHEL/Rocky 8+, Ubuntu 18.10+, Debian 10+), and use one of those with --host');
  }
  if (facts.arch === 'x86_64' || facts.arch === 'amd64') return 'x64';
  if (facts.arch === 'aarch64' || facts.arch === 'arm64') return 'arm64';
  throw setupError('cluster-unsupported', `the login node's architecture is ${facts.arch || 'unknown'}`, 'remote is built for x86_64 and aarch64 only');
}
