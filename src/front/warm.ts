// The front's warm path, in bash: what `remote proxy` decides from the state
// files alone (the live index, the contact, the liveness mark's age, whether
// an update check is due), then one connect whose banner must name the job,
// and the relay (session/relay-script.ts). Whatever is unusual makes `warm`
// return before anything was changed, and the executable decides as ever
// (session/warm.ts, the cold path). Every name, path and limit comes from the
// TypeScript that owns it; test/front/ drives this and session/warm.ts over
// the same state files.
import path from 'node:path';
import { bashWord, seconds, slot, STOPPABLE_TRAP, stoppableSleep } from '../bash-text.js';
import { aliveFile, configDir, configFile, contactFile, liveDir, PROFILE_NAME, relaysDir, stateDir, statusFile } from '../paths.js';
import { WARM_CONNECT_TIMEOUT_MS } from '../session/endpoint.js';
import { CONTACT_VERSION, currentFile, STALE_AFTER_MS } from '../state/index.js';
import { OPT_OUT_FILE, updatePaths } from '../update/paths.js';
import { nextCheckFile } from '../update/schedule.js';

const inState = (of: (state: string) => string) => bashWord(of(slot('state')));
const inJob = (of: (state: string, job: string) => string) => bashWord(of(slot('state'), slot('job')));

// front_dirs: $state and $cfg by paths.ts's own rules (XDG_*_HOME, else the
// home); 1 where those would differ from a path the executable normalizes.
const FRONT_DIRS = `front_dirs() {
  local xdg home
  if [ -n "\${XDG_STATE_HOME-}" ]; then xdg=$XDG_STATE_HOME; state=${bashWord(stateDir({ XDG_STATE_HOME: slot('xdg') }))}
  elif [ -n "\${HOME-}" ]; then home=$HOME; state=${bashWord(stateDir({ HOME: slot('home') }))}
  else return 1; fi
  if [ -n "\${XDG_CONFIG_HOME-}" ]; then xdg=$XDG_CONFIG_HOME; cfg=${bashWord(configDir({ XDG_CONFIG_HOME: slot('xdg') }))}
  elif [ -n "\${HOME-}" ]; then home=$HOME; cfg=${bashWord(configDir({ HOME: slot('home') }))}
  else return 1; fi
  case $state/:$cfg/ in *//* | */./* | */../* | ./* | ../* | *:./* | *:../*) return 1 ;; esac
}`;

const inConfig = (name: string) => bashWord(path.posix.join(slot('cfg'), name));
/** config.ini's name in the config directory (paths.ts configFile). */
const CONFIG_INI = path.posix.relative(configDir({ HOME: '/h' }), configFile({ HOME: '/h' }));

/** paths.ts's PROFILE_NAME as a bash test of $name (bash's regex has no lookahead: the all-digits rule is apart). */
export function profileNameTest(): string {
  const m = /^\^\(\?!\\d\+\$\)(\[[a-z0-9_-]+\](?:\[[a-z0-9_-]+\]\{\d+,\d+\})?)\$$/.exec(PROFILE_NAME.source);
  if (!m) throw new Error(`front/: PROFILE_NAME changed shape (${PROFILE_NAME.source}): teach profileNameTest the new one`);
  return `[[ $name =~ ^${m[1]}$ && ! $name =~ ^[0-9]+$ ]]`;
}

// A flat JSON object as JSON.stringify writes the contact and `current`: no
// backslash (so every " delimits a string), no control character, values
// that are strings, numbers, literals or arrays of strings. What is not so is
// left to the executable (JSON.parse), never skipped: skipping could choose
// a contact that the executable would not.
const S = '"[^"\\\\[:cntrl:]]*"';
const N = '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?';
const V = `(${S}|${N}|true|false|null|\\[(${S}(,${S})*)?\\])`;
export const FLAT_OBJECT = `^\\{(${S}:${V}(,${S}:${V})*)?\\}$`;

// json_get KEY VALUE-RE: sets $got to the value of the object's one KEY (in $text).
export const JSON_GET = `json_get() {
  local re="(^\\\\{|,)\\"$1\\":($2)(,|\\\\}$)" twice="\\"$1\\":.*\\"$1\\":"
  [[ ! $text =~ $twice && $text =~ $re ]] || return 1
  got=\${BASH_REMATCH[2]}
}`;

// read_json FILE: $text, one flat object; 1 when the file is missing, 2 when the executable must read it.
export const READ_JSON = `read_json() {
  text=
  [ -e "$1" ] || return 1
  { IFS= read -r -d '' text <"$1"; } 2>/dev/null
  text=\${text%$'\\n'}
  [[ $text =~ $flat_object ]] || return 2
}`;

// mark_fresh TEXT NOW: 0 when TEXT (the helper's stat) has the liveness mark and it is
// surely younger than STALE_AFTER_MS at NOW (whole seconds), 1 when it has an older or
// unreadable one, 2 when it has none. The helper and this shell judge by it alike.
const MARK_FRESH = `mark_fresh() {
  local beat=\${1#*${inJob(aliveFile)}:}
  [ "$beat" != "$1" ] || return 2
  beat=\${beat%%:*}
  [[ $beat =~ ^[0-9]+$ ]] && [ $(($2 - beat)) -le ${Math.floor(STALE_AFTER_MS / 1000) - 1} ]
}`;

// helper_start: one process, started as soon as the job is known and read
// later, so its work runs beside this shell's: the liveness mark's age
// (state/alive.ts supervisorAlive), the status file's size (state/status.ts
// statusSize) and config.ini's identity (update/schedule.ts configIdentity)
// in one stat (NAME:MTIME:SIZE:INODE:CTIME), then the connect's deadline
// (ALRM to this shell, trapped from the start: a stalled read of a network
// home must not kill the front; a deadline met before the connect hands over).
// A mark that is there and stale sends the ALRM at once: the connect starts
// before the stat's answer is read, and a dead job's node must not be waited
// for. That only cuts the connect short (a trapped ALRM ends bash's connect()
// to a node of one address; to a name of several, bash tries the next); this
// shell then judges the mark itself, with the contact's word on it.
// It holds no pipe of the session. helper_stop ends it and reads its pipe to
// the end; once stopped (even in the midst of a slow stat) it sends no ALRM,
// so none can reach what this shell execs.
function helperFunctions(): string {
  return `helper_start() {
  hpid= alarmed=
  trap 'alarmed=1' ALRM
  exec {helper}< <(exec </dev/null 2>/dev/null; ${STOPPABLE_TRAP}; echo "$BASHPID"
    st=$(stat -L -c '%n:%Y:%s:%i:%Z' -- ${inJob(aliveFile)} ${inJob(statusFile)} ${inConfig(CONFIG_INI)}); printf '%s\\n.\\n' "$st"
    printf -v n '%(%s)T' -1; mark_fresh "$st" "$n"; [ $? -ne 1 ] || [ -n "$stop" ] || kill -ALRM $$
    ${stoppableSleep(seconds(WARM_CONNECT_TIMEOUT_MS), 'kill -ALRM $$')})
}
helper_stop() {
  local rest
  [ -n "$hpid" ] || IFS= read -r -u "$helper" hpid
  kill "$hpid" 2>/dev/null
  while IFS= read -r -t 1 -u "$helper" rest; do :; done
  exec {helper}<&-
}`;
}

/**
 * The warm path's first half, defined and run before the rest of the front is
 * even read (bash reads a script as it runs it): `warm_pick PROFILE|--current`
 * chooses the contact the executable would try first and starts the helper.
 * Sets the globals warm_connect and warm_finish read; returns 1 to leave it all to the executable.
 */
export function warmPickFunction(): string {
  return `flat_object=${bashWord(FLAT_OBJECT)}
${FRONT_DIRS}
${JSON_GET}
${READ_JSON}
${MARK_FRESH}
${helperFunctions()}
warm_pick() {
  local name=$1 got ids=() id i best
  # An update installed or rolled back since this front was written: the executable runs that release, which rewrites (or touches) this front.
  [ "\${SLURMHOP_NODE_RELAY-}" != 1 ] && front_dirs && [ ! ${inState((s) => updatePaths(s).current)} -nt "$0" ] || return 1
  if [ "$name" = --current ]; then
    read_json ${inState(currentFile)} || return 1
    json_get jobId '"[^"]*"' && json_get profile '"[^"]*"' || return 1
    name=\${got:1:\${#got}-2}
  fi
  ${profileNameTest()} || return 1
  # The live index, newest job first (session/endpoint.ts answeringJob, state/contact.ts contactsForProfile).
  for id in ${bashWord(path.posix.join(liveDir(slot('state')), slot('name')))}/*; do
    id=\${id##*/}
    [[ $id =~ ^[0-9]+$ ]] || continue
    [ \${#id} -le 18 ] || return 1
    ids+=("$id")
  done
  while :; do
    best=
    for i in "\${!ids[@]}"; do [ -n "$best" ] && [ $((10#\${ids[i]})) -le $((10#\${ids[best]})) ] || best=$i; done
    [ -n "$best" ] || return 1
    job=\${ids[best]}; unset 'ids[best]'
    helper_start
    read_json ${inJob(contactFile)}
    case $? in 1) helper_stop; continue ;; 2) helper_stop; return 1 ;; esac
    json_get profile '"[^"]*"' || { helper_stop; return 1; }
    [ "$got" = "\\"$name\\"" ] || { helper_stop; continue; }
    json_get version '[0-9]+' && [ "$got" = ${CONTACT_VERSION} ] && json_get jobId '"[0-9]+"' && [ "$got" = "\\"$job\\"" ] || { helper_stop; return 1; }
    break
  done
  json_get node '"[A-Za-z0-9._-]+"' && node=\${got:1:\${#got}-2} &&
    json_get port '[0-9]+' && [ \${#got} -le 5 ] && [ "$got" -ge 1 ] && [ "$got" -le 65535 ] && port=$got || { helper_stop; return 1; }
  if json_get transport '"(tcp|srun|node-sshd)"'; then transport=\${got:1:\${#got}-2}; elif [[ $text =~ '"transport":' ]]; then helper_stop; return 1; else transport=tcp; fi
  if json_get alive 'true|false'; then alive=$got; elif [[ $text =~ '"alive":' ]]; then helper_stop; return 1; else alive=false; fi
  mark contact
}
# warm_connect: the one connect, made as soon as the contact is chosen (the job's
# sshd prepares its banner while this shell reads and checks the rest), then the
# liveness mark's age and the status file's size from the helper's stat. A stale
# mark makes the helper cut the connect short (helper_start); its deadline stays
# until warm_finish has read the update marker.
warm_connect() {
  local line
  stats= connected=
  if [ "$transport" != srun ]; then
    # The deadline met already (a slow home), or a stale mark: the executable decides, with time of its own.
    [ -z "$alarmed" ] || { helper_stop; return 1; }
    { exec 3<>"/dev/tcp/$node/$port"; } 2>/dev/null && connected=check:$slurmhop_arg
    # An ALRM that came during the connect: the same.
    [ -n "$connected" ] && [ -z "$alarmed" ] || { warm_let_go; return 1; }
    mark tcp-connected
  fi
  printf -v now '%(%s)T' -1
  [ -n "$hpid" ] || IFS= read -r -u "$helper" hpid
  while IFS= read -r -u "$helper" line && [ "$line" != . ]; do stats+=$line$'\\n'; done
  # A fresh mark, or a contact that promises none.
  mark_fresh "$stats" "$now" || [ "$alive" = false ] || { warm_let_go; return 1; }
  since=\${stats#*${inJob(statusFile)}:}
  if [ "$since" = "$stats" ]; then since=0; else since=\${since%%$'\\n'*}; since=\${since#*:}; since=\${since%%:*}; [[ $since =~ ^[0-9]+$ ]] || { warm_let_go; return 1; }; fi
  mark mark-read
}
# warm_let_go: steps aside, closing the connect if one was made: the executable must not hold it for a session.
warm_let_go() {
  [ -z "$connected" ] || exec 3<&-
  helper_stop
}`;
}

/** The warm path's second half: `warm_finish` relays and exits, or returns 1 having changed nothing. */
export function warmFinishFunction(): string {
  return `warm_finish() {
  local line due last ident config=- reg
  # Whether an update check is due (update/schedule.ts markNextCheck): the opt-out file, else its
  # marker, written for the config.ini of this identity (or none: -), and no check started later than now.
  if [ ! -e ${inConfig(OPT_OUT_FILE)} ]; then
    { read -r due last ident <${inState((s) => nextCheckFile(updatePaths(s)))}; } 2>/dev/null || { warm_let_go; return 1; }
    line=\${stats#*${inConfig(CONFIG_INI)}:}
    # MTIME:SIZE:INODE:CTIME as the identity INODE:CTIME:SIZE.
    if [ "$line" != "$stats" ]; then line=\${line%%$'\\n'*}; config=\${line#*:}; config=\${line#*:*:}:\${config%%:*}; fi
    [ "$ident" = "$config" ] || { warm_let_go; return 1; }
    [ "$due" = never ] || { [[ $due =~ ^[0-9]+$ && $last =~ ^[0-9]+$ ]] && [ "$now" -ge "$last" ] && [ "$now" -lt "$due" ]; } || { warm_let_go; return 1; }
  fi
  # The deadline met during those reads (a slow home; bash resumes a read the ALRM interrupted).
  [ -z "$alarmed" ] || { warm_let_go; return 1; }
  helper_stop
  mark update-check-done
  [ "$transport" != node-sshd ] || reg=${bashWord(`${relaysDir(slot('state'), slot('job'))}/`)}"$HOSTNAME-$$"
  # The relay is the hand-off's own script (session/relay-script.ts), in a bash of
  # its own, started while the job's sshd prepares its banner (it reads and checks
  # it, and leaves the connect to the executable when it is not the job's): this
  # bash has read the whole front, a fresh one holds a third of its memory for as
  # long as the session lasts.
  if [ -n "\${slurmhop_lc_all+set}" ]; then LC_ALL=$slurmhop_lc_all; else unset LC_ALL; fi
  [ -z "\${slurmhop_t0-}" ] || export SLURMHOP_T0=$slurmhop_t0
  exec "$BASH" -p -c "$slurmhop_session_script" slurmhop-session "$slurmhop_later" "$transport" "$node" "$port" "$job" '' "$reg" "$since" "$state" "$connected" "$exe"
}`;
}
