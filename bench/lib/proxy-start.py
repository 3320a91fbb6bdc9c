#!/usr/bin/env python3
"""Where a warm `remote proxy` spends its time, run on the login node as the
user (the benchmark pipes this script to python3 there). Spawns
`REMOTE proxy PROFILE` with SLURMHOP_TIMING=1 (marks on its stderr) and `nc
NODE PORT` alternately, each time until the job sshd's banner is on stdout.
Prints one JSON object per run.
usage: proxy-start.py ROUNDS REMOTE PROFILE NODE PORT"""
import json, os, signal, sys, time

def run(argv, env):
    i_r, i_w = os.pipe(); o_r, o_w = os.pipe(); e_r, e_w = os.pipe()
    t0 = time.time() * 1000
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_DUP2, i_r, 0), (os.POSIX_SPAWN_DUP2, o_w, 1), (os.POSIX_SPAWN_DUP2, e_w, 2),
        (os.POSIX_SPAWN_CLOSE, i_w), (os.POSIX_SPAWN_CLOSE, o_r), (os.POSIX_SPAWN_CLOSE, e_r)], setsid=True)
    os.close(i_r); os.close(o_w); os.close(e_w)
    buf = b''
    while b'\n' not in buf:
        d = os.read(o_r, 4096)
        if not d: break
        buf += d
    banner = time.time() * 1000 - t0
    try: os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError: pass
    os.waitpid(pid, 0)
    err = b''
    while True:
        d = os.read(e_r, 65536)
        if not d: break
        err += d
    for fd in (i_w, o_r, e_r): os.close(fd)
    marks = {}
    for line in err.decode('utf8', 'replace').splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == 'slurmhop-timing' and f[1] not in marks: marks[f[1]] = float(f[2])
    return {'ok': buf.startswith(b'SSH-2.0-'), 'banner': banner, 'spawnedAt': t0, 'marks': marks}

rounds, remote, profile, node, port = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
env = dict(os.environ, SLURMHOP_TIMING='1')
for i in range(rounds + 1):
    for kind, argv in ([('ours', [remote, 'proxy', profile]), ('nc', ['/usr/bin/nc', node, port])][::1 if i % 2 else -1]):
        r = run(argv, env)
        if i: print(json.dumps(dict(r, kind=kind)), flush=True)
