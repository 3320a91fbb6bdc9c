# shellcheck shell=bash
# shellcheck disable=SC2153  # STATE, CONF, ... come from common.sh
# Processes: one anchor per node holds the node's namespaces (net from
# `ip netns exec`, plus its own uts + mount with hostname, devpts and
# /etc/slurm); every daemon of that node is started inside the anchor's
# namespaces with nsenter, and `exec` enters them the same way.

# Runs as the anchor: set up the node's private view, then hold it.
# shellcheck disable=SC2016
ANCHOR_INIT='set -e
hostname "$1"
mount -t devpts -o newinstance,gid=5,mode=620,ptmxmode=0666 devpts /dev/pts
mount --bind /dev/pts/ptmx /dev/ptmx
if [ -d /etc/slurm ]; then mount --bind "$2" /etc/slurm; fi
# Rootless podman needs a pure cgroup2 hierarchy (this sandbox mounts a hybrid one).
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true
# The shape'"'"'s own view of the node (shape.sh), where it has one.
if [ -n "${3:-}" ]; then . "$3"; fi
exec sleep infinity'

anchor_pid() {
  local pid
  pid=$(daemon_pid "node-$1") || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sleep ]] || return 1
  [[ $(ip netns identify "$pid" 2>/dev/null) == "$(ns_name "$1")" ]] || return 1
  printf '%s\n' "$pid"
}

# Run CMD inside NODE's namespaces (net, uts, mount).
in_node() {
  local pid
  pid=$(anchor_pid "$1") || return 125
  shift
  nsenter -t "$pid" --net --uts --mount -- "$@"
}

node_daemons() {
  case $1 in
    login) echo socat sshd slurmctld munged home-login ;;
    login2) echo socat-login2 sshd-login2 home-login2 ;;
    *) echo "slurmd-$1 sshd-$1 home-$1" ;;
  esac
}

start_anchor() {
  local node=$1 log=$LOGS/node-$1.log pid deadline
  local -a init
  mapfile -d '' init < <(anchor_command "$node")
  spawn "node-$node" "$log" ip netns exec "$(ns_name "$node")" \
    unshare --uts --mount --propagation private -- "${init[@]}"
  deadline=$(($(now_ms) + 5000))
  until anchor_pid "$node" >/dev/null; do
    pid=$(daemon_pid "node-$node") || { show_log "$log"; die "node $node: namespace setup failed"; }
    (($(now_ms) < deadline)) || { show_log "$log"; die "node $node: anchor not ready (pid $pid)"; }
    sleep 0.02
  done
}

# (Re)start a node's anchor when it is missing: like a reboot, its daemons
# stop and whatever else still runs in its namespace is killed first.
ensure_anchor() {
  local node=$1 d
  anchor_pid "$node" >/dev/null && return 0
  for d in $(node_daemons "$node"); do stop_daemon "$d"; done
  stop_daemon "node-$node"
  ns_kill_all "$node"
  start_anchor "$node"
  say "node $node: namespaces ready (pid $(anchor_pid "$node"))"
}

# spawn NAME inside NODE unless it already runs. Its stdout/stderr go to
# log/NAME.out; daemons that keep their own log write log/NAME.log.
ensure_daemon() {
  local name=$1 node=$2; shift 2
  daemon_pid "$name" >/dev/null && return 0
  local pid
  pid=$(anchor_pid "$node") || die "node $node is not up"
  SLURM_CONF=$CONF spawn "$name" "$LOGS/$name.out" nsenter -t "$pid" --net --uts --mount -- "$@"
  say "$name: started on $node (pid $(running_pid "$name"))"
}

ensure_munged() {
  local deadline
  daemon_pid munged >/dev/null && return 0
  rm -f "$MUNGE_SOCKET"
  ensure_daemon munged login /usr/sbin/munged --foreground \
    --key-file="$STATE/munge/key/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$RUN/munged.own.pid" --seed-file="$STATE/munge/lib/munged.seed" \
    --log-file="$LOGS/munged.log"
  deadline=$(($(now_ms) + 5000))
  until [[ -S $MUNGE_SOCKET ]]; do
    if ! daemon_pid munged >/dev/null || (($(now_ms) >= deadline)); then
      show_logs munged
      die "munged did not create its socket"
    fi
    sleep 0.02
  done
}

ensure_slurm() {
  local node
  if [[ -n $CONF_CHANGED ]]; then
    for node in $COMPUTE_NODES; do stop_daemon "slurmd-$node"; done
    stop_daemon slurmctld
  fi
  # -i: start even if saved state is unreadable (e.g. after a hard kill).
  ensure_daemon slurmctld login /usr/sbin/slurmctld -D -i
  for node in $COMPUTE_NODES; do
    ensure_daemon "slurmd-$node" "$node" /usr/sbin/slurmd -D -N "$node"
  done
}

ensure_sshd() {
  local node name
  for node in $LOGIN_NODES; do
    name=$(login_sshd_name "$node")
    [[ -z $SSHD_CHANGED ]] || stop_daemon "$name"
    ensure_daemon "$name" "$node" /usr/sbin/sshd -D -f "$(login_sshd_config_file "$node")" -E "$LOGS/$name.log"
  done
}

# The laptop's only way in: 127.0.0.1:PORT -> (login namespace) 10.77.0.1:22,
# and in the production shape 127.0.0.1:PORT2 -> login2.
ensure_forwarder() {
  local node name port
  for node in $LOGIN_NODES; do
    name=$(login_forwarder_name "$node")
    port=$(login_port "$node")
    if daemon_pid "$name" >/dev/null && [[ $(cat "$RUN/$name.port" 2>/dev/null) == "$port" ]]; then
      continue
    fi
    stop_forwarder "$name"
    spawn "$name" "$LOGS/$name.out" socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
      "EXEC:ip netns exec $(ns_name "$node") nc $(node_ip "$node") 22"
    printf '%s\n' "$port" >"$RUN/$name.port"
    say "forwarder: 127.0.0.1:$port -> $node:22 (pid $(running_pid "$name"))"
  done
}

stop_forwarder() {
  local name=${1:-socat} pid
  if pid=$(daemon_pid "$name"); then
    # per-connection children would outlive the listener
    pkill -TERM -P "$pid" 2>/dev/null || true
  fi
  stop_daemon "$name"
  rm -f "$RUN/$name.port"
}

# Inside the login node, as root.
login_run() {
  in_node login env SLURM_CONF="$CONF" "$@"
}

# Compute nodes that sinfo does not show responding and usable (none: ready).
nodes_not_ready() {
  local out node state
  out=$(login_run timeout 5 sinfo -h -N -o '%N %t' 2>/dev/null) || { echo "$COMPUTE_NODES"; return; }
  for node in $COMPUTE_NODES; do
    state=$(awk -v n="$node" '$1 == n { print $2; exit }' <<<"$out")
    [[ $state == idle || $state == mix || $state == alloc ]] || printf '%s ' "$node"
  done
}

nodes_ready() { [[ -z $(nodes_not_ready) ]]; }

# An SSH banner through a forwarder (dials 127.0.0.1 only): $1 its port.
login_banner_ok() {
  # shellcheck disable=SC2016
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && IFS= read -r -t 3 line <&3 && [[ $line == SSH-* ]]' \
    _ "${1:-$LOGIN_PORT}" 2>/dev/null
}

cancel_all_jobs() {
  local ids
  ids=$(login_run timeout 10 squeue -h -o %i 2>/dev/null) || return 0
  [[ -n $ids ]] || return 0
  # shellcheck disable=SC2086
  login_run timeout 10 scancel $ids 2>/dev/null || true
  say "jobs: cancelled $(wc -w <<<"$ids")"
}
