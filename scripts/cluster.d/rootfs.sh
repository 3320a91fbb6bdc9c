# shellcheck shell=bash
# Root filesystems of other Debian suites (bullseye, bookworm, trixie, sid),
# so the local cluster can run each Slurm/OpenSSH generation from that
# suite's own packages. Each tree is built once with mmdebstrap from the
# machine's own Debian mirror (/etc/apt/sources.list*), from the suite's main
# archive only (the -security pool of a mirror may lack files its index
# lists, which fails the whole build), and kept in
#   ${SLURMHOP_ROOTFS_CACHE:-/var/cache/slurmhop-cluster/rootfs}/SUITE/
# with its stamp in SUITE/.slurmhop/: stamp (suite, recipe hash, packages,
# mirror, build time), packages (dpkg-query -W) and keyfiles.sha256 (the
# daemons, clients and PAM module the cluster runs). A tree whose stamp is
# missing or stale (other suite, package list or recipe) or whose key files
# are gone or changed is rebuilt, with a message. A build goes to a temporary
# directory next to the tree and is renamed into place only when complete.
# The .debs of the last build stay in debs/SUITE/, so a rebuild downloads
# only what changed on the mirror.
#
#   scripts/cluster rootfs SUITE [--verify] [--rebuild]
#     build SUITE's tree if missing, damaged or stale, then print its path;
#     --verify also checks every packaged file (dpkg --verify);
#     --rebuild builds a fresh tree even when the cached one is fine.
#
# Nothing is mounted inside a cached tree in the caller's mount namespace:
# the cluster mounts into a tree only inside a node's private namespace, so
# replacing or deleting a tree never reaches /home or the state dir.

ROOTFS_CACHE=${SLURMHOP_ROOTFS_CACHE:-/var/cache/slurmhop-cluster/rootfs}
ROOTFS_SUITES="bullseye bookworm trixie sid"
# Bump when the recipe below changes in a way the package list does not show:
# every cached tree is then rebuilt.
ROOTFS_RECIPE=1

# Every host role (login, compute node) runs from the same tree.
# slurm-wlm: slurmctld, slurmd and the client commands; munge; openssh-server
# with its sftp-server, openssh-client (ssh-keygen, and the laptop's ssh);
# libpam-slurm-adopt: the nodes' sshd; iproute2 netcat-openbsd socat: the
# network and the forwarder; procps rsync python3 git: what tests and
# `remote update` run on the nodes; util-linux: nsenter, setpriv, flock;
# passwd login: accounts and su; podman uidmap slirp4netns fuse-overlayfs
# catatonit: rootless podman (recommends are not installed, so named here);
# bubblewrap: kept in the trees (a tree's package list is its cache key).
ROOTFS_PACKAGES_COMMON="slurm-wlm munge openssh-server openssh-sftp-server openssh-client
libpam-slurm-adopt iproute2 netcat-openbsd socat procps rsync python3 git ca-certificates
bash util-linux passwd login hostname podman uidmap slirp4netns fuse-overlayfs catatonit bubblewrap"

# Package names that differ per suite (checked against each suite's index).
rootfs_packages() {
  local extra=
  case $1 in
    # bullseye is merged-/usr only with usrmerge (later suites are by default),
    # so /bin, /lib and /sbin point into /usr in every tree.
    bullseye) extra=usrmerge ;;
    bookworm) ;;
    # podman 5 uses pasta (package passt) for rootless networks; its storage.conf
    # comes with containers-storage.
    trixie) extra="passt containers-storage" ;;
    # Apptainer is packaged in sid only (not in trixie, bookworm or bullseye).
    sid) extra="passt containers-storage apptainer" ;;
    *) return 1 ;;
  esac
  # shellcheck disable=SC2086
  printf '%s\n' $ROOTFS_PACKAGES_COMMON $extra | sort -u
}

rootfs_known_suite() {
  [[ " $ROOTFS_SUITES " == *" $1 "* ]]
}

rootfs_dir() { printf '%s/%s' "$ROOTFS_CACHE" "$1"; }

# What a tree must be: the suite, the recipe and the package list.
rootfs_hash() {
  { printf 'recipe=%s\nsuite=%s\n' "$ROOTFS_RECIPE" "$1"; rootfs_packages "$1"; } |
    sha256sum | cut -d' ' -f1
}

# "URI SUITE" lines of the enabled deb sources (one-line and deb822 formats).
rootfs_host_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk '$1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      print $i, $(i + 1)
    }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk '
      function flush(   i, j, nu, ns, u, s) {
        if (types ~ /(^| )deb( |$)/ && enabled != "no") {
          nu = split(uris, u, " "); ns = split(suites, s, " ")
          for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
        }
        types = uris = suites = ""; enabled = "yes"
      }
      BEGIN { enabled = "yes" }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "")
        if (key == "types") types = $0
        else if (key == "uris") uris = $0
        else if (key == "suites") suites = $0
        else if (key == "enabled") enabled = tolower($0)
      }
      END { flush() }' "$f"
  done
}

# The machine's own Debian mirror (ROOTFS_MIRROR): the archive that serves
# the host's own suite in /etc/apt/sources.list*; SLURMHOP_ROOTFS_MIRROR
# overrides it.
rootfs_find_mirror() {
  local codename
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  ROOTFS_MIRROR=${SLURMHOP_ROOTFS_MIRROR:-$(rootfs_host_sources | awk -v s="$codename" '$2 == s { print $1; exit }')}
  [[ -n $ROOTFS_MIRROR ]] ||
    die "no Debian mirror for '$codename' in /etc/apt/sources.list*: set SLURMHOP_ROOTFS_MIRROR"
}

# Files the cluster runs from a tree (absolute paths inside it); those of
# OpenSSH >= 9.8 (sshd-session) and 10 (sshd-auth) and Apptainer only where
# the suite has them. The PAM module's directory differs between suites.
rootfs_key_candidates() {
  printf '%s\n' /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/slurmstepd /usr/bin/sbatch \
    /usr/bin/squeue /usr/bin/scontrol /usr/bin/sinfo /usr/bin/scancel /usr/bin/srun \
    /usr/sbin/munged /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen \
    /usr/lib/openssh/sftp-server /usr/lib/openssh/sshd-session /usr/lib/openssh/sshd-auth \
    /usr/bin/podman /usr/bin/newuidmap /usr/bin/bwrap /usr/bin/apptainer \
    /usr/bin/nsenter /usr/bin/setpriv /usr/bin/bash /usr/bin/python3 /usr/bin/git \
    /lib/x86_64-linux-gnu/security/pam_slurm_adopt.so /lib/security/pam_slurm_adopt.so \
    /usr/lib/x86_64-linux-gnu/security/pam_slurm_adopt.so
}

# Files that must exist in every tree, whatever the suite.
ROOTFS_REQUIRED="/usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch /usr/sbin/munged /usr/sbin/sshd
/usr/bin/ssh /usr/lib/openssh/sftp-server /usr/bin/podman /usr/bin/newuidmap /usr/bin/nsenter"

# Resolve PATH (absolute, inside tree DIR) to the real file it names inside
# the tree, following symlinks (absolute ones relative to DIR); prints a path
# relative to DIR, or fails when it does not exist.
rootfs_resolve() {
  local dir=$1 path=$2 out
  out=$(chroot "$dir" /usr/bin/readlink -e -- "$path" 2>/dev/null) || return 1
  [[ -f $dir$out ]] || return 1
  printf '.%s\n' "$out"
}

# Why the cached tree of SUITE cannot be used (nothing when it can); 0 = usable.
rootfs_problem() {
  local suite=$1 dir meta hash
  dir=$(rootfs_dir "$suite")
  meta=$dir/.slurmhop
  if [[ ! -d $dir ]]; then echo "not built yet"; return 1; fi
  if [[ ! -s $meta/stamp || ! -s $meta/keyfiles.sha256 || ! -s $meta/packages ]]; then
    echo "its stamp is missing (an unfinished or foreign tree)"; return 1
  fi
  if [[ $(sed -n 's/^suite=//p' "$meta/stamp") != "$suite" ]]; then
    echo "it was built for another suite"; return 1
  fi
  hash=$(rootfs_hash "$suite")
  if [[ $(sed -n 's/^hash=//p' "$meta/stamp") != "$hash" ]]; then
    echo "its package list or recipe changed"; return 1
  fi
  local f
  for f in $ROOTFS_REQUIRED; do
    if [[ ! -e $dir$f && ! -L $dir$f ]]; then echo "$f is missing"; return 1; fi
  done
  local bad
  if ! bad=$(cd "$dir" && sha256sum --quiet -c .slurmhop/keyfiles.sha256 2>/dev/null); then
    echo "key files changed or missing: $(sed -n 's/: FAILED.*//p' <<<"$bad" | head -n 3 | paste -sd' ' -)"; return 1
  fi
  return 0
}

# Every packaged file against dpkg's checksums (conffiles excepted); prints
# the damage and fails when there is any.
rootfs_verify_packages() {
  local dir out
  dir=$(rootfs_dir "$1")
  out=$(dpkg --root="$dir" --verify 2>&1 | grep -v '^??5?????? c ' || true)
  [[ -z $out ]] && return 0
  printf '%s\n' "$out" | head -n 20
  return 1
}

rootfs_need_mmdebstrap() {
  command -v mmdebstrap >/dev/null && return 0
  say "installing: mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 mmdebstrap >/dev/null ||
    { apt-get update -o DPkg::Lock::Timeout=600 >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 mmdebstrap >/dev/null; } ||
    die "cannot install mmdebstrap (apt-get install mmdebstrap)"
}

# Remove a tree that is not ours to keep (old or unfinished). Refuses when
# anything is mounted inside it in this namespace: rm would follow the mount.
rootfs_remove() {
  local dir=$1
  [[ -n $dir && $dir == "$ROOTFS_CACHE"/* ]] || die "refusing to remove $dir"
  [[ -e $dir ]] || return 0
  if findmnt -rn -o TARGET | awk -v d="$dir" 'index($0, d "/") == 1 || $0 == d { f = 1 } END { exit !f }'; then
    die "$dir has mounts inside it: unmount them first"
  fi
  rm -rf --one-file-system -- "$dir"
}

# A pid whose mount namespace has DIR as an overlay lower layer (a node of a
# running cluster): files under a mounted lower layer must not change.
rootfs_user() {
  local dir=$1 f ns seen=' '
  for f in /proc/[0-9]*/mountinfo; do
    ns=$(readlink "${f%/mountinfo}/ns/mnt" 2>/dev/null) || continue
    [[ $seen == *" $ns "* ]] && continue
    seen+="$ns "
    if awk -v d="lowerdir=$dir" '{ n = split($0, w, /[ ,]/); for (i = 1; i <= n; i++) if (w[i] == d || index(w[i], d ":") == 1) f = 1 }
        END { exit !f }' "$f" 2>/dev/null; then
      f=${f#/proc/}
      printf '%s\n' "${f%/mountinfo}"
      return 0
    fi
  done
  return 1
}

# Build SUITE's tree into a temporary directory, stamp it, swap it in.
rootfs_build() {
  local suite=$1 dir tmp log debs start rc=0 pkgs
  dir=$(rootfs_dir "$suite")
  debs=$ROOTFS_CACHE/debs/$suite
  log=$ROOTFS_CACHE/$suite.log
  local user
  if user=$(rootfs_user "$dir"); then
    die "rootfs $suite: $dir is in use by a running cluster (pid $user): scripts/cluster down first"
  fi
  rootfs_need_mmdebstrap
  rootfs_find_mirror
  install -d -m 0755 "$ROOTFS_CACHE" "$debs"
  # Left by an interrupted build (we hold the suite's lock: nobody else builds it).
  local stale
  for stale in "$ROOTFS_CACHE/.$suite".build.* "$ROOTFS_CACHE/.$suite".old.*; do
    [[ -e $stale ]] && rootfs_remove "$stale"
  done
  tmp=$(mktemp -d "$ROOTFS_CACHE/.$suite.build.XXXXXX")
  rm -rf "$debs.new" && install -d -m 0755 "$debs.new"
  pkgs=$(rootfs_packages "$suite" | paste -sd, -)
  say "rootfs $suite: building with mmdebstrap from $ROOTFS_MIRROR (log: $log)"
  start=$(now_ms)
  # Acquire::Check-Valid-Until: sid's Release on the mirror can be past its date.
  # eatmydata: dpkg without fsync (one sync below); "$1" in a hook is the tree.
  # shellcheck disable=SC2016
  mmdebstrap --mode=root --variant=minbase --format=directory \
    --include="$pkgs" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='Acquire::Languages "none"' \
    --skip=essential/unlink \
    --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
    --setup-hook="sync-in $debs /var/cache/apt/archives/" \
    --customize-hook="sync-out /var/cache/apt/archives $debs.new" \
    "$suite" "$tmp" "deb $ROOTFS_MIRROR $suite main" 9<&- >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    show_log "$log" 20
    rootfs_remove "$tmp"
    rm -rf "$debs.new"
    die "rootfs $suite: mmdebstrap failed (exit $rc), full log: $log"
  fi
  rm -rf "$debs" && mv "$debs.new" "$debs"
  rm -rf "$debs/partial" "$debs/lock"
  rootfs_stamp "$suite" "$tmp"
  sync -f "$tmp"
  if [[ -e $dir ]]; then
    local old="$ROOTFS_CACHE/.$suite.old.$$"
    mv -T "$dir" "$old"
    mv -T "$tmp" "$dir"
    rootfs_remove "$old"
  else
    mv -T "$tmp" "$dir"
  fi
  say "rootfs $suite: built in $(( ($(now_ms) - start) / 1000 )) s, $(du -sh --one-file-system "$dir" | cut -f1) in $dir"
}

# Write TREE/.slurmhop/{packages,keyfiles.sha256,stamp}; the stamp last, so a
# tree with a stamp is a finished one.
rootfs_stamp() {
  local suite=$1 tree=$2 meta f rel
  meta=$tree/.slurmhop
  install -d -m 0755 "$meta"
  dpkg-query --admindir="$tree/var/lib/dpkg" -W -f '${Package}\t${Version}\n' >"$meta/packages"
  : >"$meta/keyfiles.sha256"
  for f in $(rootfs_key_candidates); do
    rel=$(rootfs_resolve "$tree" "$f") || continue
    (cd "$tree" && sha256sum "$rel") >>"$meta/keyfiles.sha256"
  done
  sort -u -k2 -o "$meta/keyfiles.sha256" "$meta/keyfiles.sha256"
  local tmp
  tmp=$(mktemp "$meta/stamp.XXXXXX")
  {
    printf 'suite=%s\n' "$suite"
    printf 'hash=%s\n' "$(rootfs_hash "$suite")"
    printf 'recipe=%s\n' "$ROOTFS_RECIPE"
    printf 'packages=%s\n' "$(rootfs_packages "$suite" | paste -sd' ' -)"
    printf 'mirror=%s\n' "$ROOTFS_MIRROR"
    printf 'mmdebstrap=%s\n' "$(mmdebstrap --version 2>/dev/null | awk '{print $2}')"
    printf 'built=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    awk -F'\t' '$1 ~ /^(slurmd|openssh-server|libc6|munge|podman|apptainer)$/ { printf "version_%s=%s\n", $1, $2 }' "$meta/packages"
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$meta/stamp"
}

# Make SUITE's tree usable (build or rebuild as needed, under a per-suite
# lock) and set ROOTFS_DIR to it. FORCE=1 rebuilds in any case.
rootfs_ensure() {
  local suite=$1 force=${2:-} problem
  rootfs_known_suite "$suite" || die "unknown suite '$suite' (one of: $ROOTFS_SUITES)"
  ROOTFS_DIR=$(rootfs_dir "$suite")
  if [[ -z $force ]] && rootfs_problem "$suite" >/dev/null; then return 0; fi
  [[ $(id -u) == 0 ]] || die "the $suite root filesystem must be built, which needs root"
  install -d -m 0755 "$ROOTFS_CACHE"
  local lock_fd
  exec {lock_fd}>"$ROOTFS_CACHE/.$suite.lock"
  flock -w 1800 "$lock_fd" || die "another build of the $suite root filesystem holds $ROOTFS_CACHE/.$suite.lock"
  # Another process may have built it while we waited.
  if [[ -n $force ]]; then
    problem="rebuild requested"
  elif problem=$(rootfs_problem "$suite"); then
    exec {lock_fd}>&-
    return 0
  fi
  say "rootfs $suite: $problem: building it"
  rootfs_build "$suite"
  problem=$(rootfs_problem "$suite") || die "rootfs $suite: the new tree fails its own check: $problem"
  exec {lock_fd}>&-
}

# scripts/cluster rootfs SUITE [--verify] [--rebuild]
cmd_rootfs() {
  local suite='' verify='' force='' arg
  for arg in "$@"; do
    case $arg in
      --verify) verify=1 ;;
      --rebuild) force=1 ;;
      -*) printf 'cluster: rootfs: unknown option %s\n' "$arg" >&2; exit 2 ;;
      *) [[ -z $suite ]] || { printf 'cluster: rootfs: one suite only\n' >&2; exit 2; }; suite=$arg ;;
    esac
  done
  [[ -n $suite ]] || { printf 'usage: scripts/cluster rootfs SUITE [--verify] [--rebuild]  (SUITE: %s)\n' "$ROOTFS_SUITES" >&2; exit 2; }
  rootfs_known_suite "$suite" || { printf 'cluster: rootfs: unknown suite %s (one of: %s)\n' "$suite" "$ROOTFS_SUITES" >&2; exit 2; }
  rootfs_ensure "$suite" "$force"
  if [[ -n $verify ]]; then
    local damage
    if ! damage=$(rootfs_verify_packages "$suite"); then
      printf '%s\n' "$damage" >&2
      say "rootfs $suite: packaged files changed: rebuilding it"
      rootfs_ensure "$suite" 1
    fi
  fi
  say "$ROOTFS_DIR"
}
