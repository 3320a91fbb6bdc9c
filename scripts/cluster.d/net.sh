# shellcheck shell=bash
# Network: one namespace per host, a bridge in the login namespace, veths to
# the compute nodes, and an unreachable route so the root namespace can never
# send 10.77.x traffic off the machine.

ns_exists() { [[ -e /run/netns/$(ns_name "$1") ]]; }

route_guard_up() {
  ip route replace unreachable "$SUBNET"
}

route_guard_down() {
  if [[ -n $(ip route show type unreachable "$SUBNET" 2>/dev/null) ]]; then
    ip route del unreachable "$SUBNET"
  fi
}

write_netns_hosts() {
  local node dir
  for node in $ALL_NODES; do
    dir=/etc/netns/$(ns_name "$node")
    mkdir -p "$dir"
    # /etc/netns/NS/hosts replaces /etc/hosts for processes under `ip netns exec`.
    write_if_changed "$dir/hosts" 0644 <<HOSTS || true
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
10.77.0.1 login
10.77.0.2 login2
10.77.0.11 c1
10.77.0.12 c2
HOSTS
  done
}

# Idempotent: creates only what is missing.
network_up() {
  local node ns login_ns
  login_ns=$(ns_name login)
  route_guard_up
  write_netns_hosts
  for node in $ALL_NODES; do
    ns=$(ns_name "$node")
    ns_exists "$node" || ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  if ! ip -n "$login_ns" link show br0 >/dev/null 2>&1; then
    ip -n "$login_ns" link add br0 type bridge
  fi
  ip -n "$login_ns" addr replace 10.77.0.1/24 dev br0
  ip -n "$login_ns" link set br0 up
  for node in $ALL_NODES; do
    [[ $node != login ]] || continue
    ns=$(ns_name "$node")
    if ! ip -n "$login_ns" link show "v$node" >/dev/null 2>&1; then
      ip -n "$ns" link del eth0 2>/dev/null || true
      ip -n "$login_ns" link add "v$node" type veth peer name eth0 netns "$ns"
    fi
    ip -n "$login_ns" link set "v$node" master br0 up
    ip -n "$ns" addr replace "$(node_ip "$node")/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
}

# TERM then KILL whatever still lives in a namespace (jobs, sessions, helpers).
ns_kill_all() {
  local ns pids deadline
  ns=$(ns_name "$1")
  ns_exists "$1" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  deadline=$(($(now_ms) + 3000))
  while [[ -n $pids ]] && (($(now_ms) < deadline)); do
    sleep 0.02
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
  done
  if [[ -n $pids ]]; then
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
  fi
}

network_down() {
  local node ns
  for node in $EVERY_NODE; do
    ns=$(ns_name "$node")
    ns_exists "$node" && ip netns del "$ns"
    rm -rf "/etc/netns/$ns"
  done
  rmdir /etc/netns 2>/dev/null || true
  route_guard_down
}
