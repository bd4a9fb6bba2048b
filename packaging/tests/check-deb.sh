#!/usr/bin/env bash
# Structural check of a built package (no install): control fields, file list, conffiles, the unit's
# hardening, the runtime's modules, maintainer scripts. Usage: packaging/tests/check-deb.sh DEB...
# Exit 0 when every check passes, 1 with one line per failed check otherwise.
set -euo pipefail
case ${1:-} in ''|-h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ]; exit $? ;; esac
failures=0
fail() { echo "check-deb: $deb: $*" >&2; failures=$((failures + 1)); }
work=$(mktemp -d "${TMPDIR:-/tmp}/check-deb.XXXXXX")
# the unpacked package: every place below is relative to it
unpacked="$work/unpacked"
# Places inside the unpacked package, relative to its root (the installed system has them under /).
unit_dir=lib/systemd/system
sysusers_dir=usr/lib/sysusers.d
gateway_runtime=usr/lib/loomgate/runtime
trap 'rm -rf "$work"' EXIT

field() { dpkg-deb --field "$deb" "$1"; }
has_file() { grep -qx "$1" "$work/files" || fail "missing file /$1"; }
unit_has() { # UNIT_FILE REGEX WHAT
  grep -Eq "^$2\$" "$1" || fail "unit $(basename "$1"): no '$3'"
}

check_common() { # PACKAGE PREFIX SHARE UNIT
  local pkg=$1 prefix=$2 share=$3 unit=$4
  [ "$(field Package)" = "$pkg" ] || fail "Package is '$(field Package)', not $pkg"
  [ "$(field Architecture)" = amd64 ] || fail "Architecture is '$(field Architecture)', not amd64"
  [[ $(field Version) =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || fail "Version '$(field Version)' is not a Debian upstream version"
  [[ $(basename "$deb") == "${pkg}_$(field Version)_amd64.deb" ]] || fail "file name is not ${pkg}_<version>_amd64.deb"
  # The runtime is inside: nothing Java may come from the archive.
  if field Depends | grep -Eiq 'java|jdk|jre'; then fail "depends on a Java package: $(field Depends)"; fi
  field Depends | grep -q 'libc6' || fail "Depends lacks libc6 (dpkg-shlibdeps of the runtime)"
  has_file "$prefix/runtime/bin/java"
  has_file "$prefix/runtime/lib/server/libjvm.so"
  has_file "$prefix/runtime/lib/modules"
  has_file "$share/$pkg.jar"
  has_file "lib/systemd/system/$unit"
  has_file "usr/share/doc/$pkg/copyright"
  has_file "usr/share/doc/$pkg/changelog.gz"
  # A jlink'ed runtime, not a JDK: no compiler, no jmods, no headers.
  if grep -Eq "$prefix/runtime/(bin/javac|jmods/|include/)" "$work/files"; then fail "the runtime carries JDK parts (javac, jmods or headers)"; fi
  if grep -Eq '(^|/)(jdk|jre)[^/]*/bin/java$' "$work/files"; then fail "a JDK/JRE tree besides the runtime"; fi
  # Every file under /etc is a conffile, and every conffile is a file under /etc.
  diff <(grep '^etc/' "$work/files" | sed 's|^|/|' | sort) <(sort "$work/ctl/conffiles" 2>/dev/null) >/dev/null \
    || fail "conffiles ($(tr '\n' ' ' < "$work/ctl/conffiles" 2>/dev/null)) differ from the files under /etc"
  local u="$unpacked/$unit_dir/$unit"
  unit_has "$u" 'NoNewPrivileges=yes' NoNewPrivileges=yes
  unit_has "$u" 'ProtectSystem=strict' ProtectSystem=strict
  unit_has "$u" 'ProtectHome=yes' ProtectHome=yes
  unit_has "$u" 'PrivateTmp=yes' PrivateTmp=yes
  unit_has "$u" 'Restart=on-failure' Restart=on-failure
  unit_has "$u" 'StateDirectory=[a-z-]+' StateDirectory=
  unit_has "$u" 'CapabilityBoundingSet=' 'CapabilityBoundingSet= (none)'
  unit_has "$u" 'WantedBy=multi-user.target' WantedBy=multi-user.target
  local nofile
  nofile=$(sed -n 's/^LimitNOFILE=//p' "$u")
  [[ $nofile =~ ^[0-9]+$ ]] && [ "$nofile" -ge 65536 ] || fail "unit $unit: LimitNOFILE '$nofile' is not a number >= 65536"
  if grep -Eq '^MemoryDenyWriteExecute=yes' "$u"; then fail "unit $unit: MemoryDenyWriteExecute breaks the JVM's JIT"; fi
  grep -q 'deb-systemd-helper enable' "$work/ctl/postinst" || fail "postinst does not enable the unit"
  grep -q 'deb-systemd-invoke stop' "$work/ctl/prerm" || fail "prerm does not stop the unit"
  grep -q 'deb-systemd-helper purge' "$work/ctl/postrm" || fail "postrm does not purge the unit's state"
  # Maintainer scripts honour DPKG_ROOT, or an install into a throwaway root would change the host.
  local s
  for s in postinst prerm postrm; do grep -q 'DPKG_ROOT' "$work/ctl/$s" || fail "$s ignores DPKG_ROOT"; done
}

check_gateway() {
  check_common loomgate-gateway usr/lib/loomgate usr/share/loomgate loomgate-gateway.service
  has_file usr/bin/loomgate
  has_file usr/sbin/loomgate-gateway
  has_file usr/lib/sysusers.d/loomgate-gateway.conf
  local c
  for c in /etc/loomgate/gateway.yaml /etc/loomgate/routes.yaml /etc/default/loomgate-gateway; do
    grep -qx "$c" "$work/ctl/conffiles" 2>/dev/null || fail "$c is not a conffile"
  done
  local u="$unpacked/$unit_dir/loomgate-gateway.service"
  unit_has "$u" 'User=loomgate' User=loomgate
  unit_has "$u" 'StateDirectory=loomgate' StateDirectory=loomgate
  unit_has "$u" 'ExecStart=/usr/sbin/loomgate-gateway --config /etc/loomgate/gateway.yaml' 'ExecStart with /etc/loomgate/gateway.yaml'
  grep -q '^u loomgate ' "$unpacked/$sysusers_dir/loomgate-gateway.conf" || fail "sysusers.d does not declare user loomgate"
  grep -q 'systemd-sysusers' "$work/ctl/postinst" || fail "postinst does not create the user"
  grep -q 'userdel' "$work/ctl/postrm" || fail "postrm purge does not remove the user"
  grep -q '/var/lib/loomgate' "$work/ctl/postrm" || fail "postrm purge does not remove the state dir"
  # The launchers run the package's own runtime, never a java from PATH.
  local l
  for l in usr/bin/loomgate usr/sbin/loomgate-gateway; do
    grep -q "exec /$gateway_runtime/bin/java " "$unpacked/$l" || fail "/$l does not exec the package's runtime"
  done
  # java.desktop is left out on purpose (packaging/loomgate-gateway/jlink-exclude).
  if grep -qw java.desktop "$unpacked/$gateway_runtime/modules.txt"; then fail "the runtime has java.desktop"; fi
  if grep -q 'libawt' "$work/files"; then fail "the runtime has AWT libraries"; fi
}

check_standin() {
  check_common loomgate-consul-standin usr/lib/loomgate-consul-standin usr/share/loomgate-consul-standin loomgate-consul-standin.service
  unit_has "$unpacked/$unit_dir/loomgate-consul-standin.service" 'DynamicUser=yes' DynamicUser=yes
  field Description | head -1 | grep -qi 'test fixture' || fail "the fixture's description does not say it is a test fixture"
}

[ $# -ge 1 ] || { echo "usage: check-deb.sh DEB..." >&2; exit 2; }
for deb in "$@"; do
  [ -f "$deb" ] || { echo "check-deb: no such file: $deb" >&2; exit 2; }
  rm -rf "$unpacked" "$work/ctl"
  dpkg-deb --control "$deb" "$work/ctl"
  # One decompression: the listing (files only) and the extracted tree come from the same pass.
  mkdir -p "$unpacked"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -v -C "$unpacked" | sed -e 's|^\./||' -e '/\/$/d' -e '/^$/d' | sort > "$work/files"
  case $(dpkg-deb --field "$deb" Package) in
    loomgate-gateway) check_gateway ;;
    loomgate-consul-standin) check_standin ;;
    *) fail "unknown package $(dpkg-deb --field "$deb" Package)" ;;
  esac
  [ $failures -gt 0 ] || echo "check-deb: $(basename "$deb"): ok"
done
[ $failures -eq 0 ]
