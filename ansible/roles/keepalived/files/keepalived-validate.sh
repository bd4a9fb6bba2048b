#!/usr/bin/env bash
# Validates a rendered keepalived.conf with `keepalived -t -e -f` on the render machine.
# Usage: keepalived-validate.sh FILE [INTERFACE|auto]
# - Drops `net_namespace`: keepalived -t exits 0 without checking anything when that namespace does not
#   exist (it does not at render time; the harness creates it later).
# - With INTERFACE, replaces the configured interface (it exists only inside the namespace) by one that
#   exists here; `auto` takes the first non-loopback interface (keepalived refuses lo for VRRP).
set -euo pipefail
file=$1
iface=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf="$tmp/keepalived.conf"
grep -v '^[[:space:]]*net_namespace[[:space:]]' "$file" > "$conf"
if [ -n "$iface" ]; then
  if [ "$iface" = auto ]; then
    iface=$(ls /sys/class/net | grep -vx lo | head -n1 || true)
    [ -n "$iface" ] || { echo "keepalived-validate: no non-loopback interface here to check $file against" >&2; exit 2; }
  fi
  configured=$(awk '$1 == "interface" { print $2; exit }' "$conf")
  if [ -n "$configured" ]; then
    sed -i -E "s/^([[:space:]]*interface[[:space:]]+)${configured}\b/\1${iface}/; s/(dev[[:space:]]+)${configured}\b/\1${iface}/" "$conf"
  fi
fi
kbin=$(command -v keepalived || echo /usr/sbin/keepalived)
out=$("$kbin" -t -e -f "$conf" 2>&1) && rc=0 || rc=$?
# Messages name the temporary copy; show the rendered file's name instead.
[ -n "$out" ] && printf '%s\n' "${out//$conf/$file}" >&2
exit "$rc"
