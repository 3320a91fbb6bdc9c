# shellcheck shell=bash
# shellcheck disable=SC2153  # STATE, HERE, ... come from the other parts
# The real enroot on the nodes. The project ships no enroot: the steering
# repository's shared/ directory beside the checkout may hold its source
# (shared/vendor/enroot-*.tar.gz) and shared/tools/install-enroot, which builds
# and installs it from Debian packages only. Where it is there, `up` installs
# enroot into /usr/local of the nodes' filesystem: the host's for bookworm, the
# cached tree of another suite (built inside that tree, for its own glibc),
# once; a rerun finds it installed. Where it is not there and no enroot is
# installed either, the nodes have none and the enroot tests say they are
# skipped and why.
#
# Settings: SLURMHOP_SHARED_DIR (default: ../shared beside the checkout).

SHARED_DIR=${SLURMHOP_SHARED_DIR:-$(cd "$HERE/.." && pwd)/../shared}
ENROOT_VERSION_WANTED=4.1.2
ENROOT_PREFIX=/usr/local

enroot_installer() { printf '%s/tools/install-enroot' "$SHARED_DIR"; }

# Runs "$@" with enroot's runtime, cache and data directories in a throwaway
# directory of the nodes' /tmp: any enroot run as root (`enroot version`
# included) makes them first, and /run/enroot (root's, 0700) left on the nodes
# is a machine state that the enroot tests set up and remove themselves.
with_throwaway_enroot_paths() {
  local dir inside rc=0
  dir=$(mktemp -d "$(node_fs /tmp)/slurmhop-enroot-paths.XXXXXX")
  inside=${dir#"$SUITE_ROOT"}
  ENROOT_RUNTIME_PATH=$inside/run ENROOT_CACHE_PATH=$inside/cache ENROOT_DATA_PATH=$inside/data "$@" || rc=$?
  rm -rf "$dir"
  return "$rc"
}

# The version of the nodes' enroot ('' when there is none).
nodes_enroot_version() {
  local bin
  for bin in $ENROOT_PREFIX/bin/enroot /usr/bin/enroot; do
    [[ -x $(node_fs "$bin") ]] || continue
    if [[ -z $SUITE_ROOT ]]; then
      with_throwaway_enroot_paths "$bin" version 2>/dev/null
    else
      with_throwaway_enroot_paths chroot "$SUITE_ROOT" "$bin" version 2>/dev/null
    fi
    return 0
  done
}

# Installs enroot on the nodes when shared/ has it and they have no 4.x; says
# why when they will have none. Never fails `up`: the cluster runs without it.
ensure_nodes_enroot() {
  local have log installer
  have=$(nodes_enroot_version || true)
  if [[ $have == 4.* ]]; then
    ENROOT_STATUS="enroot $have"
    return 0
  fi
  installer=$(enroot_installer)
  if [[ ! -x $installer ]]; then
    ENROOT_STATUS="no enroot: $installer is missing and the nodes have no enroot 4.x"
    return 0
  fi
  log=$LOGS/enroot-install-$CLUSTER_SUITE.log
  say "enroot: building $ENROOT_VERSION_WANTED for the $CLUSTER_SUITE nodes (once; log: $log)"
  if [[ -z $SUITE_ROOT ]]; then
    with_throwaway_enroot_paths "$installer" "$ENROOT_PREFIX" >"$log" 2>&1 || true
  else
    with_throwaway_enroot_paths install_enroot_in_tree "$installer" >"$log" 2>&1 || true
  fi
  have=$(nodes_enroot_version || true)
  if [[ $have == 4.* ]]; then
    ENROOT_STATUS="enroot $have"
  else
    ENROOT_STATUS="no enroot: it did not build for $CLUSTER_SUITE (see $log)"
    show_log "$log" 8
  fi
}

# Runs the installer inside the suite's cached tree (its compiler, its glibc,
# its apt sources), with /proc and /dev in a private mount namespace; the
# installer and the source are copied into the tree's /tmp for the run.
install_enroot_in_tree() {
  local installer=$1 tree=$SUITE_ROOT work
  work=$tree/tmp/slurmhop-enroot
  rm -rf "$work"
  install -d "$work/tools" "$work/vendor"
  cp "$installer" "$work/tools/"
  cp "$SHARED_DIR"/vendor/enroot-*.tar.gz "$work/vendor/"
  # shellcheck disable=SC2016
  unshare --mount --propagation private -- sh -c '
    mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
    DEBIAN_FRONTEND=noninteractive chroot "$1" /tmp/slurmhop-enroot/tools/install-enroot "$2"' sh "$tree" "$ENROOT_PREFIX"
  local rc=$?
  rm -rf "$work"
  return "$rc"
}

ENROOT_STATUS=''
