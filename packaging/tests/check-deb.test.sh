#!/usr/bin/env bash
# Proves packaging/tests/check-deb.sh can fail: it repacks copies of a built loomgate-gateway .deb with
# one defect each (unit without NoNewPrivileges, a JDK dependency, the wrong architecture, a config file
# that is not a conffile) and expects check-deb.sh to reject each with its message, and the intact
# package to pass. Usage: packaging/tests/check-deb.test.sh GATEWAY_DEB
set -euo pipefail
case ${1:-} in ''|-h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ]; exit $? ;; esac
here=$(cd "$(dirname "$0")" && pwd)
deb=$(realpath "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/check-deb-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
dpkg-deb -R "$deb" "$work/orig"
version=$(dpkg-deb --field "$deb" Version)

# broken NAME EXPECTED_MESSAGE EDIT_COMMAND: repack a copy after EDIT_COMMAND (run in the copy's root).
broken() {
  local name=$1 expect=$2 edit=$3 arch out
  rm -rf "$work/$name"; cp -a "$work/orig" "$work/$name"
  (cd "$work/$name" && eval "$edit")
  arch=$(sed -n 's/^Architecture: //p' "$work/$name/DEBIAN/control")
  mkdir -p "$work/out-$name"
  # Uncompressed: the copies only need to be read back, once.
  dpkg-deb -Znone --root-owner-group --build "$work/$name" "$work/out-$name/loomgate-gateway_${version}_${arch}.deb" >/dev/null
  if out=$("$here/check-deb.sh" "$work/out-$name"/*.deb 2>&1); then
    echo "FAIL $name: check-deb.sh accepted it"; failed=$((failed + 1))
  elif grep -q -- "$expect" <<<"$out"; then
    echo "ok   $name: rejected ($expect)"; passed=$((passed + 1))
  else
    echo "FAIL $name: rejected, but without '$expect':"; echo "$out" | sed 's/^/     /'; failed=$((failed + 1))
  fi
}

if "$here/check-deb.sh" "$deb" >/dev/null 2>&1; then echo "ok   intact package passes"; passed=$((passed + 1))
else echo "FAIL the intact package does not pass check-deb.sh"; failed=$((failed + 1)); fi
broken no-nnp "no 'NoNewPrivileges=yes'" "sed -i '/^NoNewPrivileges=/d' lib/systemd/system/loomgate-gateway.service"
broken jdk-dep "depends on a Java package" "sed -i 's/^Depends: /Depends: openjdk-17-jre-headless, /' DEBIAN/control"
broken wrong-arch "Architecture is 'arm64'" "sed -i 's/^Architecture: amd64/Architecture: arm64/' DEBIAN/control"
broken not-conffile "/etc/loomgate/routes.yaml is not a conffile" "sed -i '\\|/etc/loomgate/routes.yaml|d' DEBIAN/conffiles"
broken low-nofile "LimitNOFILE '1024'" "sed -i 's/^LimitNOFILE=.*/LimitNOFILE=1024/' lib/systemd/system/loomgate-gateway.service"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
