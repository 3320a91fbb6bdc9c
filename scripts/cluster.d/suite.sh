# shellcheck shell=bash
# shellcheck disable=SC2153  # STATE, CONF, ... come from common.sh
# A cluster from another Debian suite (`up --suite bullseye|trixie|sid`):
# every node runs from that suite's cached root filesystem (rootfs.sh), so
# munged, slurmctld, slurmd, the login node's and the compute nodes' sshd,
# the sshd a job starts, pam_slurm_adopt, podman and Apptainer are the
# suite's own. `bookworm` (the default) is the host's own packages.
#
# Each node's anchor (daemons.sh) mounts an overlay whose lower layer is the
# cached tree (read-only, shared by the nodes) and whose upper layer is
# $STATE/roots/NODE/upper (emptied when the anchor starts: a reboot), binds
# what the nodes share with the host into it (/home, /tmp, the state dir,
# /dev, /sys, the host's /etc at /run/host-etc) and pivot_roots into it, so
# that nsenter (whose setns puts the caller at the namespace's root) lands
# every daemon and `exec` inside the suite's tree. The accounts are the
# host's: on the login node /etc/{passwd,group,shadow,gshadow} of the tree
# are symlinks into /run/host-etc, so a password set on the host (chpasswd
# replaces the file) is seen at once; the compute nodes get copies made when
# they start (a container that mounts the node's /etc finds the users), and
# so does every node for subuid and subgid (newuidmap refuses a symlink).
#
# The laptop's OpenSSH client can be the suite's too: $STATE/laptop/bin holds
# ssh, scp, sftp, ssh-keygen and ssh-keyscan wrappers that run the suite's
# program in a private mount namespace with the tree's /usr over the host's
# (the host's /etc, /home, /tmp stay). `env` names the directory
# (SLURMHOP_LAPTOP_BIN); the e2e harness puts it first on PATH.

SUITE_FILE=$STATE/suite
HOST_SUITE=bookworm
CLUSTER_SUITE=$HOST_SUITE
SUITE_ROOT=''   # the cached tree of CLUSTER_SUITE ('' for the host's own packages)

# The suite of the cluster that runs (or last ran); bookworm when none did.
running_suite() {
  local s
  s=$(cat "$SUITE_FILE" 2>/dev/null) || s=$HOST_SUITE
  printf '%s\n' "${s:-$HOST_SUITE}"
}

# Set CLUSTER_SUITE and SUITE_ROOT (building the tree when it must).
select_suite() {
  CLUSTER_SUITE=$1
  SUITE_ROOT=''
  if [[ $CLUSTER_SUITE != "$HOST_SUITE" ]]; then
    rootfs_ensure "$CLUSTER_SUITE"
    SUITE_ROOT=$ROOTFS_DIR
  fi
}

# A path inside the nodes' filesystem, seen from the host.
node_fs() { printf '%s%s\n' "$SUITE_ROOT" "$1"; }

# The program's path inside the nodes' filesystem, when it is there.
suite_has() { [[ -e $(node_fs "$1") ]]; }

suite_root_dir() { printf '%s/roots/%s' "$STATE" "$1"; }

# Runs as the anchor of a suite node: $1 node, $2 Slurm's config dir, $3 the
# tree, $4 the node's root dir, $5 the state dir. The host's sh, mount and
# pivot_root do the work; after the pivot, only the tree's programs run.
# shellcheck disable=SC2016
SUITE_ANCHOR_INIT='set -e
node=$1 conf=$2 tree=$3 dir=$4 state=$5
hostname "$node"
rm -rf "$dir/upper" "$dir/work"
mkdir -p "$dir/upper" "$dir/work" "$dir/merged"
mount -t overlay overlay -o "lowerdir=$tree,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"
r=$dir/merged
mount -t proc proc "$r/proc"
mount --rbind /sys "$r/sys"
mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup" 2>/dev/null || true
mount --rbind /dev "$r/dev"
mount -t devpts -o newinstance,gid=5,mode=620,ptmxmode=0666 devpts "$r/dev/pts"
mount --bind "$r/dev/pts/ptmx" "$r/dev/ptmx"
# /dev/fuse for users, as compute nodes have it (fuse-overlayfs, squashfuse): a
# node of our own over the root-only one of the host, in this node only.
if [ -c /dev/fuse ]; then
  rm -f "$dir/fuse"
  mknod -m 0666 "$dir/fuse" c 10 229 && mount --bind "$dir/fuse" "$r/dev/fuse"
fi
mount --rbind /home "$r/home"
mount --bind /tmp "$r/tmp"
mkdir -p "$r$state" "$r/run/host-etc" "$r/etc/slurm" "$r/run/sshd"
mount --rbind "$state" "$r$state"
mount --bind /etc "$r/run/host-etc"
mount --bind "$conf" "$r/etc/slurm"
# The login node follows the host'"'"'s accounts live (a password a test sets);
# compute nodes get copies, regular files as on a real node: a container
# that mounts the node'"'"'s /etc must find the users there. newuidmap opens
# subuid and subgid with O_NOFOLLOW: copies everywhere.
for f in passwd group shadow gshadow subuid subgid; do
  rm -f "$r/etc/$f"
  [ -e "/etc/$f" ] || continue
  if [ "$node" = login ] && [ "$f" != subuid ] && [ "$f" != subgid ]; then
    ln -s "/run/host-etc/$f" "$r/etc/$f"
  else
    cp -p "/etc/$f" "$r/etc/$f"
  fi
done
# /etc/hosts here is the node'"'"'s (ip netns exec mounted /etc/netns/NS/hosts on it).
cat /etc/hosts >"$r/etc/hosts"
printf "%s\n" "$node" >"$r/etc/hostname"
mkdir -p "$r/.oldroot"
cd "$r"
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
exec sleep infinity'

# The anchor's command line for NODE (the host's own, or a suite's).
anchor_command() {
  local node=$1
  if [[ -z $SUITE_ROOT ]]; then
    local init=''
    ! is_production || init=$(shape_init_file)
    printf '%s\0' sh -c "$ANCHOR_INIT" anchor "$node" "$CONF_DIR" "$init"
  else
    install -d -m 0755 "$(suite_root_dir "$node")"
    printf '%s\0' sh -c "$SUITE_ANCHOR_INIT" anchor "$node" "$CONF_DIR" "$SUITE_ROOT" "$(suite_root_dir "$node")" "$STATE"
  fi
}

# cgroup.conf for this Slurm: 20.11 knows no CgroupPlugin (it refuses the
# file); 22.05 copes without a cgroup fs with cgroup/v1; from 23.11 on the
# plugin can be turned off (24.11's cgroup/v1 and v2 both want a real one).
cgroup_conf() {
  case $(slurm_version) in
    20.* | 21.*) ;;
    22.* | 23.02.*) printf 'CgroupPlugin=cgroup/v1\n' ;;
    *) printf 'CgroupPlugin=disabled\n' ;;
  esac
}

# "MAJOR.MINOR.PATCH" of the nodes' Slurm.
slurm_version() {
  if [[ -z $SUITE_ROOT ]]; then
    /usr/sbin/slurmd -V | awk '{print $2}'
  else
    chroot "$SUITE_ROOT" /usr/sbin/slurmd -V | awk '{print $2}'
  fi
}

# The nodes' pam_slurm_adopt, by its absolute path (its directory differs
# between suites and is not always PAM's own module directory).
pam_slurm_adopt_path() {
  local p
  for p in /usr/lib/x86_64-linux-gnu/security/pam_slurm_adopt.so /lib/x86_64-linux-gnu/security/pam_slurm_adopt.so /lib/security/pam_slurm_adopt.so /usr/lib/security/pam_slurm_adopt.so; do
    [[ -f $(node_fs "$p") ]] && { printf '%s\n' "$p"; return 0; }
  done
  return 1
}

# Wrappers that run the suite's OpenSSH client programs on the laptop.
# shellcheck disable=SC2016
LAPTOP_WRAPPER='#!/bin/sh
# Generated by scripts/cluster: the %s OpenSSH client on the laptop (%s).
[ -n "${SLURMHOP_LAPTOP_SUITE_NS:-}" ] && exec /usr/bin/%s "$@"
exec unshare --mount --propagation private -- /bin/sh -c '"'"'mount --bind "$0/usr" /usr && SLURMHOP_LAPTOP_SUITE_NS=1 exec /usr/bin/%s "$@"'"'"' "%s" "$@"
'

write_laptop_bin() {
  local bin=$LAPTOP/bin prog
  if [[ -z $SUITE_ROOT ]]; then
    rm -rf "$bin"
    return 0
  fi
  install -d -m 0755 "$bin"
  for prog in ssh scp sftp ssh-keygen ssh-keyscan ssh-add ssh-agent; do
    # shellcheck disable=SC2059
    printf "$LAPTOP_WRAPPER" "$CLUSTER_SUITE" "$SUITE_ROOT" "$prog" "$prog" "$SUITE_ROOT" |
      write_if_changed "$bin/$prog" 0755 || true
  done
}

laptop_bin_dir() { [[ -z $SUITE_ROOT ]] || printf '%s\n' "$LAPTOP/bin"; }

# Versions of what the nodes run, for `up` and `status`.
suite_summary() {
  local ssh_v
  if [[ -z $SUITE_ROOT ]]; then
    ssh_v=$(/usr/sbin/sshd -V 2>&1)
  else
    ssh_v=$(chroot "$SUITE_ROOT" /usr/sbin/sshd -V 2>&1)
  fi
  printf '%s: Slurm %s, %s\n' "$CLUSTER_SUITE" "$(slurm_version)" "$(grep -o 'OpenSSH_[^ ,]*' <<<"$ssh_v" | head -n1)"
}
