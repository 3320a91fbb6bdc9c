// What must not outlive `remote job`: its sshd (a login to it would land
// outside any allocation), a container the runtime keeps running, and the
// contact that points connects at them. Where Slurm tracks processes by their
// parents (proctrack/linuxproc), a supervisor killed on its own (kill -9, the
// OOM killer) leaves them behind, re-parented to init. So the job starts a
// small guard (bash) that the supervisor tells, on a pipe, what it started; if
// that pipe ends without "done", however the supervisor died, the guard
// removes the contact first, then stops what it was told about (the processes
// and all their descendants) and runs the runtime's own clean-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { shellQuote } from '../templates/index.js';

export type Leftover = { kill: number } | { run: string[] } | { remove: string };

// Orders, one per line: `kill PID`, `run SHELL-WORDS`, `rm PATH`, and `done`.
const GUARD = `trap '' TERM INT HUP
kills=() runs=() rms=()
while IFS= read -r line; do
  case $line in
    done) exit 0 ;;
    "kill "*) kills+=("\${line#kill }") ;;
    "run "*) runs+=("\${line#run }") ;;
    "rm "*) rms+=("\${line#rm }") ;;
  esac
done
[ \${#rms[@]} -eq 0 ] || rm -rf -- "\${rms[@]}"
[ \${#kills[@]} -gt 0 ] || { for r in "\${runs[@]}"; do eval "$r" >/dev/null 2>&1; done; exit 0; }
declare -A parent=()
for stat in /proc/[0-9]*/stat; do
  read -r rest <"$stat" 2>/dev/null || continue
  pid=\${stat#/proc/}; pid=\${pid%/stat}; rest=\${rest##*) }
  set -- $rest; parent[$pid]=$2
done
victims=() queue=("\${kills[@]}")
while [ \${#queue[@]} -gt 0 ]; do
  p=\${queue[0]}; queue=("\${queue[@]:1}"); victims+=("$p")
  for c in "\${!parent[@]}"; do [ "\${parent[$c]}" = "$p" ] && queue+=("$c"); done
done
kill -TERM "\${victims[@]}" 2>/dev/null
for r in "\${runs[@]}"; do eval "$r" >/dev/null 2>&1; done
sleep 2
kill -KILL "\${victims[@]}" 2>/dev/null
exit 0`;

export class Guard {
  private constructor(private readonly child: ChildProcess) {}

  /** The guard, in the job's process group (Slurm's end of the job reaches it too). */
  static start(bash = '/bin/bash'): Guard {
    const child = spawn(bash, ['-c', GUARD, 'slurmhop-guard'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {}); // no bash: the job goes on unguarded
    child.stdin!.on('error', () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    return new Guard(child);
  }

  watch(leftovers: Leftover[]): void {
    for (const l of leftovers) {
      const line = 'kill' in l ? `kill ${l.kill}` : 'run' in l ? `run ${l.run.map(shellQuote).join(' ')}` : `rm ${l.remove}`;
      if (!/[\n\r]/.test(line)) this.child.stdin!.write(`${line}\n`);
    }
  }

  /** A clean end: the supervisor cleans up itself. */
  done(): void {
    this.child.stdin!.end('done\n');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}
