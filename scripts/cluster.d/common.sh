# shellcheck shell=bash
# Shared helpers for scripts/cluster: settings, messages, pid files.
# shellcheck disable=SC2034  # settings are used by the other parts

STATE=${SLURMHOP_CLUSTER_DIR:-/var/lib/slurmhop-cluster}
LOGIN_PORT=${SLURMHOP_LOGIN_PORT:-2222}
USERS_LIST="ada bob cyd dan eve fay gus hal ivy jay kim lee mia ned oli pia"
COMPUTE_NODES="c1 c2"
# The shape's nodes (shape.sh select_shape): login2 joins in the production shape.
ALL_NODES="login c1 c2"
LOGIN_NODES=login
SUBNET=10.77.0.0/16
WAIT_SECONDS=${SLURMHOP_CLUSTER_WAIT:-30}

CONF_DIR=$STATE/etc
CONF=$CONF_DIR/slurm.conf
RUN=$STATE/run
LOGS=$STATE/log
LAPTOP=$STATE/laptop
MUNGE_SOCKET=$STATE/munge/socket/munge.socket.2

say() { printf '%s\n' "$*"; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }

ns_name() { printf 'slurmhop-%s' "$1"; }

node_ip() {
  case $1 in
    login) echo 10.77.0.1 ;;
    login2) echo 10.77.0.2 ;;
    c1) echo 10.77.0.11 ;;
    c2) echo 10.77.0.12 ;;
    *) return 1 ;;
  esac
}

# Last lines of a log, indented, on stderr (for error reports).
show_log() {
  local file=$1
  [[ -s $file ]] || return 0
  printf -- '--- last lines of %s\n' "$file" >&2
  tail -n "${2:-15}" "$file" | sed 's/^/  /' >&2
}

# The fresher of a daemon's own log and its captured stdout/stderr (Slurm
# writes both; the .out alone holds errors from before a log file opened).
show_logs() {
  local log=$LOGS/$1.log out=$LOGS/$1.out
  if [[ -s $out && ( ! -s $log || $out -nt $log ) ]]; then log=$out; fi
  show_log "$log" "${2:-12}"
}

# Start time of a process in clock ticks (field 22 of /proc/PID/stat), so a
# recycled pid is never mistaken for ours.
proc_starttime() {
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }            # comm may hold spaces: cut after its ')'
  read -ra fields <<<"$stat"   # fields[0] is field 3
  printf '%s\n' "${fields[19]}"
}

# True while the process runs; a zombie counts as gone (kill -0 would not say).
proc_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z && ${stat:0:1} != X ]]
}

pidfile() { printf '%s/%s.pid' "$RUN" "$1"; }

record_pid() {
  local pid=$2 start
  start=$(proc_starttime "$pid") || return 1
  printf '%s %s\n' "$pid" "$start" >"$(pidfile "$1")"
}

# Prints the pid of daemon NAME when it is running and is the process we started.
daemon_pid() {
  local file pid start
  file=$(pidfile "$1")
  [[ -r $file ]] || return 1
  read -r pid start <"$file" || return 1
  [[ -n $pid ]] || return 1
  proc_running "$pid" || return 1
  [[ $(proc_starttime "$pid") == "$start" ]] || return 1
  printf '%s\n' "$pid"
}

# Pid of a daemon that must be running; if it already died, its logs and exit.
running_pid() {
  daemon_pid "$1" && return 0
  show_logs "$1"
  die "$1 exited at start (logs: $LOGS/$1.*)"
}

# Start a detached process (own session, stdio to LOG, no other file
# descriptor of ours: a lock a caller holds, like fd 9 or a `flock FILE cmd`
# around this script, must not live on in a daemon) and record its pid.
# setsid does not fork here: a background child of a script is no group leader.
spawn() {
  local name=$1 log=$2; shift 2
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec setsid "$@" </dev/null >>"$log" 2>&1
  ) &
  local pid=$!
  record_pid "$name" "$pid" || { show_log "$log"; die "$name exited at once"; }
}

now_ms() { local t=${EPOCHREALTIME/[.,]/}; printf '%s\n' $((t / 1000)); }

# Wait (bounded, in milliseconds) until the process is gone.
wait_gone() {
  local pid=$1 deadline=$(($(now_ms) + ${2:-5000}))
  while proc_running "$pid"; do
    (($(now_ms) < deadline)) || return 1
    sleep 0.02
  done
}

# TERM, wait, then KILL a daemon we started; removes its pid file.
stop_daemon() {
  local name=$1 pid
  if pid=$(daemon_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 5000; then
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 3000 || say "warning: $name (pid $pid) did not exit" >&2
    fi
  fi
  rm -f "$(pidfile "$name")"
}

# Write FILE from stdin only when its content changes; true when it changed.
write_if_changed() {
  local file=$1 mode=${2:-0644} tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$file"
}

# Serialise up/down (fd 9 on the state dir; spawned daemons do not inherit it).
lock_state() {
  [[ -d $STATE ]] || return 0
  exec 9<"$STATE"
  flock -w 300 9 || die "another scripts/cluster up/down holds $STATE"
}
