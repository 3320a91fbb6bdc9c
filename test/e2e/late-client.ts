// A ProxyCommand whose client's end reaches the login node 0.3 s late, as
// through a ControlMaster (there ~40 ms): the job's sshd then closes first.
// The pipeline runs in the background and its bash exits, so no process holds
// the ssh client's pipes but the pipeline's own (ssh's SIGHUP at its exit then
// goes to that bash alone); `cat` reads ssh's output through fd 4, since a
// background list's input is otherwise /dev/null.
import type { Laptop } from './harness.js';

export function lateClientEnd(laptop: Laptop, remoteCommand: string): string {
  return `ProxyCommand=bash -c 'exec 4<&0; { cat <&4; sleep 0.3; } | ssh -F ${laptop.config} -T login ${remoteCommand} &'`;
}
