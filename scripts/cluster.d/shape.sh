# shellcheck shell=bash
# shellcheck disable=SC2153,SC2034  # STATE, CONF, ... come from common.sh; settings are read by the other parts
# Cluster shapes (`up --shape plain|production`). `plain` (the default) is a
# workstation-shaped cluster: one login node, /home as the local disk,
# proctrack/linuxproc, no limits. `production` is shaped like the clusters
# users have, all four at once (bookworm's Slurm 22.05, whose cgroup/v1 plugin
# runs on this machine's hybrid cgroups):
#
# - A login pool: a second login node, login2 (10.77.0.2, its own network
#   namespace, hostname, /tmp and sshd; the same home, Slurm and host key),
#   reached from the laptop through 127.0.0.1:$SLURMHOP_LOGIN2_PORT (2223).
#   Every node has a /tmp of its own ($STATE/nodes/NODE/tmp). Where the
#   faketime package is installed, sessions on login2 run with a clock 7 s
#   ahead (libfaketime; the file server's times stay the real ones).
# - A home with NFS-like caching: each node sees /home through a bindfs
#   (FUSE) mount of its own, with lookups, found and missing, cached for
#   $SLURMHOP_HOME_CACHE_SECONDS (30, NFS's acdirmin) and attributes
#   revalidated on every access (attr_timeout=0, as close-to-open gives);
#   auto_cache keeps a file's pages while its size and mtime are unchanged.
#   What it models: a name looked up while missing stays missing on that node
#   for that long after another node (or the laptop, standing for the file
#   server) created it; a deleted name is seen gone at the next access.
#   What it does not: unlike Linux's NFS client, a readdir does not drop the
#   cached misses (stricter than NFS), writes are not delayed until close, and
#   there is no server to lose (no ESTALE, no hard-mount hangs).
# - cgroups as production Slurm runs them: ProctrackType=proctrack/cgroup,
#   TaskPlugin=task/cgroup, cgroup/v1 with ConstrainRAMSpace and
#   ConstrainDevices, memory a consumable resource (CR_Core_Memory,
#   DefMemPerCPU=500). Each compute node mounts the host's v1 controllers
#   (freezer, memory, devices) with a subtree of its own, slurmhop-NODE, bound
#   over /sys/fs/cgroup/CONTROLLER, so two slurmd never share a tree. The GPU
#   of c2 is a device node of its own, $STATE/dev/nvidia0 (char 195:0, the
#   NVIDIA major, no driver): a job given the GPU opens it and gets ENXIO (no
#   such device), a job without it gets EPERM from the devices cgroup.
#   pam_slurm_adopt adopts node ssh sessions into the job's extern step, and
#   refuses a session it cannot adopt (action_adopt_failure=deny).
# - Limits that login nodes set, by pam_limits for every ssh session on login
#   and login2 (never root): address space 1 GiB (ulimit -v 1048576), 256 open
#   files (ulimit -n), 4096 processes (ulimit -u; the kernel counts them per
#   user across all nodes of this machine, threads included).
# - A home mounted noexec: the test user pia's home is noexec on every node
#   (a bind mount over the caching view), as sites mount whole home file
#   systems. A scratch file system that allows executables is shared by every
#   node at /srv ($STATE/scratch), and the login nodes' sessions get
#   SCRATCH=/srv/USER from pam_env, as sites set it.

SHAPE_FILE=$STATE/shape
SHAPES="plain production"
CLUSTER_SHAPE=plain
LOGIN2_PORT=${SLURMHOP_LOGIN2_PORT:-2223}
HOME_CACHE_SECONDS=${SLURMHOP_HOME_CACHE_SECONDS:-30}
LOGIN_LIMIT_AS_KIB=1048576
LOGIN_LIMIT_NOFILE=256
LOGIN_LIMIT_NPROC=4096
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
LOGIN2_CLOCK_OFFSET=+7s
NOEXEC_USER=pia
# Every node a shape may have: `down` cleans up after any of them.
EVERY_NODE="login login2 c1 c2"

known_shape() { [[ " $SHAPES " == *" $1 "* ]]; }

running_shape() {
  local s
  s=$(cat "$SHAPE_FILE" 2>/dev/null) || s=plain
  printf '%s\n' "${s:-plain}"
}

# Sets CLUSTER_SHAPE and the nodes it has.
select_shape() {
  CLUSTER_SHAPE=$1
  if is_production; then
    ALL_NODES="login login2 c1 c2"
    LOGIN_NODES="login login2"
  else
    ALL_NODES="login c1 c2"
    LOGIN_NODES=login
  fi
}

is_production() { [[ $CLUSTER_SHAPE == production ]]; }

# The daemons of the running shape, node anchors first.
expected_daemons() {
  local node
  for node in $ALL_NODES; do printf 'node-%s ' "$node"; done
  if is_production; then
    for node in $ALL_NODES; do printf 'home-%s ' "$node"; done
  fi
  printf 'munged slurmctld '
  for node in $COMPUTE_NODES; do printf 'slurmd-%s sshd-%s ' "$node" "$node"; done
  printf 'sshd socat '
  is_production && printf 'sshd-login2 socat-login2 '
  printf '\n'
}

# The login node's sshd daemon and forwarder names.
login_sshd_name() { if [[ $1 == login ]]; then echo sshd; else echo "sshd-$1"; fi; }
login_forwarder_name() { if [[ $1 == login ]]; then echo socat; else echo "socat-$1"; fi; }
login_port() { if [[ $1 == login ]]; then echo "$LOGIN_PORT"; else echo "$LOGIN2_PORT"; fi; }

shape_init_file() { printf '%s/shape-init.sh' "$STATE"; }

# Sourced by each node's anchor (daemons.sh) before it holds the namespaces;
# $1 is the node. Only the production shape has one.
write_shape_init() {
  if ! is_production; then
    rm -f "$(shape_init_file)"
    return 0
  fi
  write_if_changed "$(shape_init_file)" 0644 <<INIT || true
# Generated by scripts/cluster (shape.sh): a production-shaped node's private view.
node=\$1
dir=$STATE/nodes/\$node
mkdir -p "\$dir/tmp" "\$dir/home-src"
chmod 1777 "\$dir/tmp"
# A node-local /tmp.
mount --bind "\$dir/tmp" /tmp
# The shared home as this node's file-system client reads it; the node's
# home daemon (bindfs) mounts its caching view over /home.
mount --bind /home "\$dir/home-src"
case \$node in
  c*)
    mount -t tmpfs -o mode=0755 cgroup /sys/fs/cgroup
    for c in freezer memory devices; do
      mkdir -p "\$dir/cgroup/\$c" "/sys/fs/cgroup/\$c"
      mount -t cgroup -o "\$c" cgroup "\$dir/cgroup/\$c"
      # A previous run's job cgroups (the node "rebooted"): empty ones go.
      if [ -d "\$dir/cgroup/\$c/slurmhop-\$node" ]; then
        find "\$dir/cgroup/\$c/slurmhop-\$node" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
      fi
      mkdir -p "\$dir/cgroup/\$c/slurmhop-\$node"
      mount --bind "\$dir/cgroup/\$c/slurmhop-\$node" "/sys/fs/cgroup/\$c"
    done
    ;;
esac
INIT
}

# bindfs over /home in every node: the node's own caching view of the home.
ensure_homes() {
  local node deadline
  is_production || return 0
  command -v bindfs >/dev/null || die "bindfs is missing (scripts/cluster install-deps)"
  for node in $ALL_NODES; do
    daemon_pid "home-$node" >/dev/null && continue
    ensure_daemon "home-$node" "$node" bindfs -f \
      -o "nonempty,allow_other,auto_cache,attr_timeout=0,entry_timeout=$HOME_CACHE_SECONDS,negative_timeout=$HOME_CACHE_SECONDS" \
      "$STATE/nodes/$node/home-src" /home
    deadline=$(($(now_ms) + 5000))
    until [[ $(in_node "$node" findmnt -rn -o FSTYPE --mountpoint /home 2>/dev/null) == fuse* ]]; do
      daemon_pid "home-$node" >/dev/null || { show_logs "home-$node"; die "node $node: bindfs over /home exited"; }
      (($(now_ms) < deadline)) || die "node $node: bindfs did not mount /home"
      sleep 0.02
    done
    # shellcheck disable=SC2016
    in_node "$node" sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,noexec,nosuid,nodev "$1"' noexec "/home/$NOEXEC_USER"
  done
}

# The scratch file system (exec allowed, shared by every node) and the
# login nodes' SCRATCH variable (pam_env).
ensure_scratch() {
  local node
  is_production || return 0
  install -d -m 1777 "$STATE/scratch"
  printf 'SCRATCH DEFAULT=/srv/@{PAM_USER}\n' | write_if_changed "$STATE/login/pam_env.conf" 0644 || true
  for node in $ALL_NODES; do
    node_bind "$node" "$STATE/scratch" /srv
  done
  for node in $LOGIN_NODES; do node_bind "$node" "$STATE/login/pam_env.conf" /etc/security/pam_env.conf; done
}

# What the production shape adds to slurm.conf (after the defaults it overrides).
shape_slurm_conf() {
  if is_production; then
    cat <<CONF
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
CONF
  else
    cat <<CONF
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectTypeParameters=CR_Core
CONF
  fi
}

shape_cgroup_conf() {
  cat <<CONF
CgroupPlugin=cgroup/v1
ConstrainRAMSpace=yes
ConstrainDevices=yes
CONF
}

gpu_device() { printf '%s/dev/nvidia0' "$STATE"; }

# The fake GPU's device file: /dev/null where no cgroup constrains devices,
# a device node of its own where one does (see the header).
gpu_file() {
  if is_production; then gpu_device; else echo /dev/null; fi
}

write_gpu_device() {
  is_production || return 0
  install -d -m 0755 "$STATE/dev"
  [[ -c $(gpu_device) ]] || mknod -m 0666 "$(gpu_device)" c 195 0
}

login_limits_file() { printf '%s/login/limits.conf' "$STATE"; }

write_login_limits() {
  is_production || return 0
  install -d -m 0755 "$STATE/login"
  write_if_changed "$(login_limits_file)" 0644 <<LIMITS || true
# Generated by scripts/cluster: what a site's login nodes limit (pam_limits,
# every ssh session; not root).
*  soft  as      $LOGIN_LIMIT_AS_KIB
*  hard  as      $LOGIN_LIMIT_AS_KIB
*  soft  nofile  $LOGIN_LIMIT_NOFILE
*  hard  nofile  $LOGIN_LIMIT_NOFILE
*  soft  nproc   $LOGIN_LIMIT_NPROC
*  hard  nproc   $LOGIN_LIMIT_NPROC
LIMITS
}

# The limits bound over /etc/security/limits.conf, in the login nodes only.
ensure_login_limits() {
  local node
  is_production || return 0
  for node in $LOGIN_NODES; do node_bind "$node" "$(login_limits_file)" /etc/security/limits.conf; done
}

# login2's sessions: a clock a few seconds off, where libfaketime is installed.
login2_clock_env() {
  [[ -f $FAKETIME_LIB ]] || return 0
  printf 'LD_PRELOAD=%s FAKETIME=%s FAKETIME_DONT_FAKE_MONOTONIC=1 ' "$FAKETIME_LIB" "$LOGIN2_CLOCK_OFFSET"
}

# The v1 subtrees the compute nodes made in the host's hierarchies.
remove_node_cgroups() {
  local c dir
  for c in freezer memory devices; do
    for dir in /sys/fs/cgroup/"$c"/slurmhop-*; do
      [[ -d $dir ]] || continue
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
  done
}

shape_summary() {
  if is_production; then
    printf 'production: login pool (login, login2), caching home (%ss), cgroup/v1, login limits' "$HOME_CACHE_SECONDS"
  else
    printf 'plain'
  fi
}
