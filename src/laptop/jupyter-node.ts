// What `slurmhop jupyter` runs in the job, through `ssh <prefix>-<profile>`
// (so in the session's environment: the job's, with what env_setup exported,
// inside the profile's container if it has one): a POSIX sh script read from
// stdin, so that no login shell (bash, tcsh, fish) parses it and the token
// never shows in a process list. It starts Jupyter on the node's loopback,
// reports on stdout in lines of its own, then holds the session open: when
// the session's input ends (the laptop stops it, or the connection is gone)
// it stops Jupyter and whatever Jupyter started (kernels, terminals: they
// carry its private runtime directory in their environment), and removes
// that directory.
import { shellQuote } from '../templates/render.js';

export type JupyterKind = 'auto' | 'lab' | 'notebook';

export interface JupyterRequest {
  kind: JupyterKind;
  /** The folder it serves: absolute, or relative to the home directory on the cluster ('' for the home itself). */
  folder: string;
  token: string;
}

const TAG = 'slurmhop-jupyter:';

/**
 * JupyterLab's news feed and update check are the only things it would fetch
 * from the network on its own: both off (Notebook 6 fetches nothing). Nothing
 * opens a browser on the node.
 */
const OFFLINE_LAB = ['--LabApp.news_url=None', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'];
/** How long Jupyter may take to start on the node (a first start on a busy network home takes a while). */
export const START_SECONDS = 300;
export const JUPYTER_FLAGS = ['--no-browser', '--ip=127.0.0.1', '--port=8888', '--port-retries=50'];

export function jupyterScript(r: JupyterRequest, startSeconds = START_SECONDS): string {
  // One function, called on the last line: the shell has read the whole script before it
  // runs, so the session's input after it is only its end, which cat waits for.
  return `slurmhop_jupyter() {
  trap '' PIPE INT
  say() { printf '${TAG} %s\\n' "$*"; }
  say node "$(uname -n)" "\${SLURM_JOB_ID:-}"
  kind=${shellQuote(r.kind)}
  if [ "$kind" = auto ]; then
    if command -v jupyter-lab >/dev/null 2>&1; then kind=lab; else kind=notebook; fi
  fi
  program=jupyter-$kind
  if ! command -v "$program" >/dev/null 2>&1; then say missing "$program" "$PATH"; return 0; fi
  say program "$kind" "$(command -v "$program")"
  dir=${shellQuote(r.folder)}
  case $dir in /*) ;; '') dir=$HOME ;; *) dir=$HOME/$dir ;; esac
  if ! cd "$dir" 2>/dev/null; then say nodir "$dir"; return 0; fi
  rt=$(mktemp -d "\${TMPDIR:-/tmp}/slurmhop-jupyter.XXXXXXXX") || { say failed mktemp; return 0; }
  extra=
  [ "$kind" = lab ] && extra='${OFFLINE_LAB.join(' ')}'
  # The token and the runtime directory are Jupyter's environment, not its arguments.
  JUPYTER_TOKEN=${shellQuote(r.token)} JUPYTER_RUNTIME_DIR=$rt "$program" ${JUPYTER_FLAGS.join(' ')} $extra >"$rt/log" 2>&1 </dev/null &
  pid=$!
  # Alive and not a zombie (nothing reaps Jupyter before the last wait).
  alive() { state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1); [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]; }
  log() { tail -n 15 "$rt/log" 2>/dev/null | sed 's/^/${TAG} log /'; }
  # Jupyter, then what it started and left (kernels, terminals carry its runtime directory).
  cleanup() {
    kill -TERM "$pid" 2>/dev/null
    i=0
    while alive "$pid" && [ $i -lt 150 ]; do sleep 0.2 2>/dev/null || sleep 1; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    left=$(grep -lzxF "JUPYTER_RUNTIME_DIR=$rt" /proc/[0-9]*/environ 2>/dev/null | sed -n 's|^/proc/\\([0-9]*\\)/environ$|\\1|p')
    [ -n "$left" ] && kill -KILL $left 2>/dev/null
    rm -rf "$rt"
  }
  trap 'kill "$eof" 2>/dev/null; cleanup; say stopped $left; exit 0' TERM HUP
  # The end of the session's input (the laptop stops, or its connection is gone) stops everything.
  exec 3<&0
  ( cat <&3 >/dev/null 2>&1; kill -TERM $$ ) &
  eof=$!
  started=$(date +%s)
  while :; do
    for f in "$rt"/*server-*.json; do
      if [ -f "$f" ] && grep -q '^}' "$f"; then info=$f; break 2; fi
    done
    if ! alive "$pid"; then
      wait "$pid"
      say exited $?
      log
      kill "$eof" 2>/dev/null
      cleanup
      return 0
    fi
    if [ $(($(date +%s) - started)) -ge ${startSeconds} ]; then
      say timeout ${startSeconds}
      log
      kill "$eof" 2>/dev/null
      cleanup
      return 0
    fi
    sleep 0.2 2>/dev/null || sleep 1
  done
  sed -n 's/.*\\(Jupyter [A-Za-z]* [0-9][0-9a-z.]*\\) is running at.*/\\1/p' "$rt/log" | sed -n '1s/^/${TAG} version /p'
  printf '${TAG} info %s\\n' "$(tr -d '\\n' <"$info")"
  say ready
  wait "$pid"
  code=$?
  kill "$eof" 2>/dev/null
  say exited $code
  log
  cleanup
}
slurmhop_jupyter; exit 0
`;
}

/** What the script said, line by line. */
export type NodeEvent =
  | { type: 'node'; node: string; jobId: string | undefined }
  | { type: 'program'; kind: 'lab' | 'notebook'; path: string }
  | { type: 'missing'; program: string; path: string }
  | { type: 'nodir'; dir: string }
  | { type: 'failed'; what: string }
  | { type: 'version'; version: string }
  | { type: 'info'; info: ServerInfo }
  | { type: 'ready' }
  | { type: 'exited'; code: number | undefined }
  | { type: 'timeout'; seconds: number }
  | { type: 'log'; line: string }
  | { type: 'stopped'; leftovers: number };

/** Jupyter's own server file (nbserver-PID.json, jpserver-PID.json): the port it took, its token, its base URL. */
export interface ServerInfo {
  port: number;
  token: string;
  baseUrl: string;
  password: boolean;
}

/** One line of the session's output; anything else (a login shell's greeting) is not an event. */
export function parseNodeLine(line: string): NodeEvent | undefined {
  if (!line.startsWith(`${TAG} `)) return undefined;
  const rest = line.slice(TAG.length + 1);
  const [word, ...words] = rest.split(' ');
  const after = rest.slice(word!.length + 1);
  switch (word) {
    case 'node':
      return { type: 'node', node: words[0] ?? '?', jobId: words[1] || undefined };
    case 'program':
      return words[0] === 'lab' || words[0] === 'notebook' ? { type: 'program', kind: words[0], path: words.slice(1).join(' ') } : undefined;
    case 'missing':
      return { type: 'missing', program: words[0] ?? 'jupyter', path: words.slice(1).join(' ') };
    case 'nodir':
      return { type: 'nodir', dir: after };
    case 'failed':
      return { type: 'failed', what: after };
    case 'version':
      return { type: 'version', version: after };
    case 'info':
      return parseInfo(after);
    case 'ready':
      return { type: 'ready' };
    case 'exited':
      return { type: 'exited', code: words[0] === undefined ? undefined : Number(words[0]) };
    case 'timeout':
      return { type: 'timeout', seconds: Number(words[0]) };
    case 'log':
      return { type: 'log', line: after };
    case 'stopped':
      return { type: 'stopped', leftovers: words.filter(Boolean).length };
    default:
      return undefined;
  }
}

function parseInfo(text: string): NodeEvent | undefined {
  try {
    const v = JSON.parse(text) as { port?: unknown; token?: unknown; base_url?: unknown; password?: unknown };
    if (typeof v.port !== 'number') return undefined;
    const base = typeof v.base_url === 'string' && v.base_url.startsWith('/') ? v.base_url : '/';
    return { type: 'info', info: { port: v.port, token: typeof v.token === 'string' ? v.token : '', baseUrl: base.endsWith('/') ? base : `${base}/`, password: v.password === true } };
  } catch {
    return undefined;
  }
}
