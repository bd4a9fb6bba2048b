#!/usr/bin/env bash
# Builds (once) the Debian 12 root filesystem the vm-cluster machines boot: only what a cloud image
# has (systemd as init, openssh-server, python3, sudo, iproute2, ca-certificates), nothing from the
# cluster. Cached as target/vm-cluster/cache/rootfs-<key>/ (key = this script's hash); prints its path.
# The image's apt sources are empty: the machines have no internet, the roles add loomgate_apt_repo.
set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "rootfs.sh: needs root (mmdebstrap in root mode)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "rootfs.sh: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 2; }
cache="$root/target/vm-cluster/cache"
key=$(sha256sum "$0" | cut -c1-12)
dest="$cache/rootfs-$key"
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi
mkdir -p "$cache"
rm -rf "$dest" "$dest.partial"
packages=systemd,systemd-sysv,dbus,openssh-server,python3,sudo,iproute2,ca-certificates,libpam-systemd
# --variant=minbase + the packages above: a cloud image minus cloud-init (the test injects the key itself,
# see boot.sh). The hooks run on the host with the new root as $1.
mmdebstrap --variant=minbase --include="$packages" --mode=root \
  --customize-hook='rm -f "$1/etc/apt/sources.list"; : > "$1/etc/apt/sources.list"' \
  --customize-hook='rm -f "$1/etc/ssh/ssh_host_"*' \
  --customize-hook='rm -f "$1/etc/machine-id"; : > "$1/etc/machine-id"' \
  --customize-hook='echo "LANG=C.UTF-8" > "$1/etc/default/locale"' \
  bookworm "$dest.partial" >&2
mv "$dest.partial" "$dest"
touch "$dest/.complete"
echo "$dest"
