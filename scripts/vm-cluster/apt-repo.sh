#!/usr/bin/env bash
# Builds the local apt repository the vm-cluster machines install from (they have no internet, like an
# air-gapped site): every Debian package the roles install, with all its dependencies, fetched on this
# host from Debian's registry (cached in target/vm-cluster/cache/debs-<key>/), plus the Loomgate .debs
# given as arguments. Output: a flat repository (Packages, Packages.gz) in DIR, used as
#   deb [trusted=yes] http://<repo address>:<port>/ ./
# Usage: scripts/vm-cluster/apt-repo.sh DIR LOOMGATE.deb...
set -euo pipefail
case ${1:-} in -h|--help|'') sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ]; exit ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1; shift
[ "$(id -u)" -eq 0 ] || { echo "apt-repo.sh: needs root (mmdebstrap in root mode)" >&2; exit 2; }
for tool in mmdebstrap dpkg-scanpackages; do
  command -v "$tool" >/dev/null || { echo "apt-repo.sh: $tool is missing (apt-get install mmdebstrap dpkg-dev)" >&2; exit 2; }
done

# What the roles install with apt (ansible/roles/*/tasks), and what their validate: commands run.
# Keep in step with the roles: a package missing here fails the vm-cluster run at that role's apt task
# ("No package matching ..."), which is the point of an offline repository.
packages=(
  python3-apt python3-yaml nftables          # base role (apt module, YAML validate), firewall role
  haproxy socat                              # haproxy
  keepalived curl                            # keepalived
  redis-server redis-sentinel prometheus-redis-exporter   # redis
  rsyslog rsyslog-relp                       # rsyslog
  prometheus prometheus-alertmanager         # monitoring
)
# The cloud image's own packages (rootfs.sh) are added too, so the repository is a closed set.
base=systemd,systemd-sysv,dbus,openssh-server,python3,sudo,iproute2,ca-certificates,libpam-systemd
cache="$root/target/vm-cluster/cache"
key=$( (cat "$0"; echo "$base") | sha256sum | cut -c1-12)
debs="$cache/debs-$key"
if [ ! -f "$debs/.complete" ]; then
  rm -rf "$debs" "$debs.partial"
  mkdir -p "$debs.partial"
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/loomgate-vm-debs.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
  # A throwaway Debian 12 root with everything installed; its apt cache holds exactly the .debs needed.
  include=$base,$(IFS=,; echo "${packages[*]}")
  mmdebstrap --variant=minbase --include="$include" --mode=root \
    --customize-hook="cp \"\$1\"/var/cache/apt/archives/*.deb '$debs.partial'/" \
    bookworm "$scratch/root" >&2
  rm -rf "$scratch"
  trap - EXIT
  mv "$debs.partial" "$debs"
  touch "$debs/.complete"
fi

rm -rf "$out"
mkdir -p "$out"
cp "$debs"/*.deb "$out"/
for deb in "$@"; do
  [ -f "$deb" ] || { echo "apt-repo.sh: no such package: $deb" >&2; exit 2; }
  cp "$deb" "$out"/
done
(cd "$out" && dpkg-scanpackages --multiversion . /dev/null > Packages 2>/dev/null && gzip -9kf Packages)
echo "apt-repo.sh: $(ls "$out"/*.deb | wc -l) packages in $out" >&2
