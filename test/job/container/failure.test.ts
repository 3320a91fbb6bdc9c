// What a runtime's failure tells the user, from outputs enroot 4.1.2, Apptainer
// 1.4.5 and Podman printed when run by hand (test/e2e/containers/notes/).
import { describe, expect, it } from 'vitest';
import { explainingLines, runtimeFailed } from '../../../src/job/container/failure.js';

const DEVICE_NODES = `[INFO] Extracting squashfs filesystem...
Parallel unsquashfs: Using 2 processors
create_inode: could not create character device /home/enrtest/.local/share/enroot/dev/dev/urandom, because you're not superuser!
18 inodes (18 blocks) to write


created 3 files
created 12 directories
created 14 symlinks
created 0 devices
created 0 fifos
created 0 sockets
created 0 hardlinks`;

describe('a container runtime that failed', () => {
  it('enroot create of an image with device nodes: the line that says so, the cause and the fix, not the counts at the end', () => {
    const err = runtimeFailed('enroot create /home/eve/dev.sqsh', { exitCode: 2, stdout: '', stderr: DEVICE_NODES });
    expect(err.message).toBe(
      "enroot create /home/eve/dev.sqsh failed: create_inode: could not create character device /home/enrtest/.local/share/enroot/dev/dev/urandom, because you're not superuser! (the image's /dev holds device nodes, which only root can create)",
    );
    expect(err.hint).toContain('rebuild the image without /dev');
    expect(err.details).toContain('created 0 hardlinks'); // the whole output, for the job's log
    expect(err.kind).toBe('job-failed');
  });

  it('enroot import: the error, not the [INFO] lines before it', () => {
    const stderr = '[INFO] Querying registry for permission grant\n[ERROR] URL https://registry.example.org/v2/team/missing/manifests/2 returned error code: 404 Not Found';
    const err = runtimeFailed('enroot import docker://registry.example.org#team/missing:2', { exitCode: 1, stdout: '', stderr });
    expect(err.message).toBe(
      'enroot import docker://registry.example.org#team/missing:2 failed: [ERROR] URL https://registry.example.org/v2/team/missing/manifests/2 returned error code: 404 Not Found (the registry does not have that image or tag)',
    );
  });

  it('podman 3 (Debian 11\'s 3.0.1, seen on the bullseye cluster) refusing --userns=keep-id inside the job\'s cgroup: the cause and the fix', () => {
    const stderr = 'time="2026-12-02T03:44:03Z" level=warning msg="Falling back to --cgroup-manager=cgroupfs"\nError: cannot chown `/sys/fs/cgroup/cgroup.procs`: Operation not permitted: OCI permission denied';
    const err = runtimeFailed('starting podman image localhost/x:1', { exitCode: 126, stdout: '', stderr });
    expect(err.message).toBe(
      "starting podman image localhost/x:1 failed: Error: cannot chown `/sys/fs/cgroup/cgroup.procs`: Operation not permitted: OCI permission denied (this podman cannot run a rootless container as you (--userns=keep-id) inside the job's cgroup (--cgroups=disabled), which slurmhop needs; podman 3 fails so, podman 4.3 and newer do not)",
    );
    expect(err.hint).toBe('ask the site for podman 4.3 or newer, or use container_runtime = apptainer or enroot');
  });

  it('usage printed on stdout with nothing on stderr still says something', () => {
    const stdout = 'Usage: enroot start [options] [--] NAME|IMAGE [COMMAND] [ARG...]\n\nStart a container and invoke the command script within its root filesystem.';
    expect(explainingLines({ stdout, stderr: '' })).toBe('Usage: enroot start [options] [--] NAME|IMAGE [COMMAND] [ARG...]');
    expect(runtimeFailed('enroot start', { exitCode: 1, stdout, stderr: '' }).message).toContain("(the runtime refused slurmhop's command line)");
  });

  it("a directory enroot cannot make, a FATAL line of Apptainer, and a failure with no words at all", () => {
    const noDir = runtimeFailed('enroot list', { exitCode: 1, stdout: '', stderr: "mkdir: cannot create directory '/home/ada/.cache/enroot': Permission denied" });
    expect(noDir.message).toBe("enroot list failed: mkdir: cannot create directory '/home/ada/.cache/enroot': Permission denied (the runtime cannot create a directory it needs)");
    expect(noDir.hint).toContain('ENROOT_CACHE_PATH');
    expect(explainingLines({ stdout: '', stderr: 'INFO:    Converting SIF file to temporary sandbox...\nFATAL:   could not open image /x.sif: failed to retrieve path for /x.sif: lstat /x.sif: no such file or directory' })).toBe(
      'FATAL:   could not open image /x.sif: failed to retrieve path for /x.sif: lstat /x.sif: no such file or directory',
    );
    expect(runtimeFailed('podman run', { exitCode: 125, stdout: '', stderr: '' }).message).toBe('podman run failed: exit code 125, no message');
  });
});
