# shellcheck shell=bash
# install-deps: Debian packages the cluster needs, installed only when missing.

# podman, uidmap, slirp4netns: rootless containers in jobs;
# libpam-slurm-adopt: the compute nodes' own sshd (transport = node-sshd);
# bindfs: the production shape's caching homes; faketime: login2's clock;
# jupyter-notebook: the nodes' Jupyter for slurmhop jupyter (test/e2e/jupyter.test.ts).
DEPS_PACKAGES="slurm-wlm munge openssh-server openssh-client netcat-openbsd iproute2 rsync socat util-linux procps podman uidmap slirp4netns libpam-slurm-adopt bindfs faketime jupyter-notebook"

missing_packages() {
  local pkg status
  for pkg in $DEPS_PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || printf '%s ' "$pkg"
  done
}

install_deps() {
  local missing log created_policy=
  missing=$(missing_packages)
  [[ -n $missing ]] || return 0
  [[ $(id -u) == 0 ]] || die "missing packages ($missing) and not root: cannot install"
  mkdir -p "$LOGS"
  log=$LOGS/install.log
  say "installing: $missing"
  # Post-install scripts would start the distro's munged/slurmd/sshd without this.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local rc=0
  # shellcheck disable=SC2086
  {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -o DPkg::Lock::Timeout=600 &&
      apt-get install -y -o DPkg::Lock::Timeout=600 $DEPS_PACKAGES
  } >"$log" 2>&1 || rc=$?
  [[ -z $created_policy ]] || rm -f /usr/sbin/policy-rc.d
  if ((rc != 0)); then
    show_log "$log"
    die "apt-get failed (exit $rc), full log: $log"
  fi
}
