#!/usr/bin/env bash
# Builds the Debian packages into target/dist/:
#   loomgate-gateway_<version>_amd64.deb         the gateway node, its CLI, unit and default config
#   loomgate-consul-standin_<version>_amd64.deb  the Consul stand-in: a TEST FIXTURE, never for production
# Each carries a Java runtime jlink'ed from the JDK bin/find-java picks, with the modules jdeps finds in
# the module's jar and its libs, minus the ones packaging/<package>/jlink-exclude removes (with reasons).
# The version comes from packaging/version.sh (LOOMGATE_DEB_VERSION overrides it).
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: packaging/build-deb.sh [--out DIR] [PACKAGE...]
  PACKAGE      loomgate-gateway and/or loomgate-consul-standin (default: both)
  --out DIR    output directory (default: target/dist)
Environment: LOOMGATE_DEB_VERSION (version override), LOOMGATE_DEB_MAINTAINER (Maintainer field),
  LOOMGATE_DEB_COMPRESS (dpkg-deb -Z: xz, the default, or gzip: a bigger file, a faster build).
USAGE
}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/target/dist"
packages=()
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --out) [ $# -ge 2 ] || { echo "build-deb: --out needs a directory" >&2; exit 2; }; out=$2; shift 2 ;;
    loomgate-gateway|loomgate-consul-standin) packages+=("$1"); shift ;;
    *) echo "build-deb: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#packages[@]} -gt 0 ] || packages=(loomgate-gateway loomgate-consul-standin)
for tool in dpkg-deb dpkg-shlibdeps python3 gzip; do
  command -v "$tool" >/dev/null || { echo "build-deb: '$tool' is missing (Debian: apt-get install dpkg-dev python3 gzip)" >&2; exit 2; }
done

JAVA_HOME=$("$root/bin/find-java") || exit 2
. "$root/bin/lib/ensure-built.sh"
version=$("$root/packaging/version.sh")
maintainer=${LOOMGATE_DEB_MAINTAINER:-Loomgate maintainers <maintainers@loomgate.example.org>}
compress=${LOOMGATE_DEB_COMPRESS:-xz}
case $compress in xz|gzip) ;; *) echo "build-deb: LOOMGATE_DEB_COMPRESS must be xz or gzip, was '$compress'" >&2; exit 2 ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/loomgate-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The modules the jars need: jdeps' answer minus packaging/<package>/jlink-exclude ("module  # why").
modules_for() { # JAR LIBDIR EXCLUDE_FILE
  local found excluded m keep=()
  found=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 21 \
    --class-path "$2/*" "$1")
  excluded=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$3" 2>/dev/null | tr -d ' ' || true)
  for m in ${found//,/ }; do
    grep -qx "$m" <<<"$excluded" || keep+=("$m")
  done
  (IFS=,; echo "${keep[*]}")
}

# install_file MODE SRC DEST (DEST relative to the package root)
install_file() { install -D -m "$1" "$2" "$pkgroot/$3"; }

# Debian's Depends for the ELF files of the runtime, from dpkg-shlibdeps (it needs a debian/control).
shlibs_for() { # DIR_WITH_RUNTIME
  local d="$work/shlibs" elves
  rm -rf "$d"; mkdir -p "$d/debian"
  printf 'Source: loomgate\n\nPackage: loomgate\nArchitecture: amd64\n' > "$d/debian/control"
  mapfile -t elves < <(find "$1" -type f \( -name '*.so' -o -path '*/bin/*' -o -name jspawnhelper -o -name jexec \) \
    -exec sh -c 'head -c 4 "$1" | grep -q ELF' _ {} \; -print)
  (cd "$d" && dpkg-shlibdeps -O -l"$1/lib" -l"$1/lib/server" "${elves[@]}" 2>"$work/shlibdeps.err") \
    | sed -n 's/^shlibs:Depends=//p' || { cat "$work/shlibdeps.err" >&2; return 1; }
}

build_one() {
  # prefix: the runtime (architecture-dependent); share: the jars (Java policy: jars under /usr/share).
  local pkg=$1 module jar prefix share mods
  case $pkg in
    loomgate-gateway) module=gateway; prefix=usr/lib/loomgate; share=usr/share/loomgate ;;
    loomgate-consul-standin) module=consul-standin; prefix=usr/lib/loomgate-consul-standin; share=usr/share/loomgate-consul-standin ;;
  esac
  local src="$root/packaging/$pkg"
  ensure_built "$module"
  jar="$root/$module/target/loomgate-$module.jar"
  pkgroot="$work/$pkg"
  rm -rf "$pkgroot"; mkdir -p "$pkgroot/DEBIAN"

  mods=$(modules_for "$jar" "$root/$module/target/libs" "$src/jlink-exclude")
  echo "build-deb: $pkg $version: jlink $mods" >&2
  "$JAVA_HOME/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages \
    --compress=zip-6 --output "$pkgroot/$prefix/runtime"
  echo "$mods" > "$pkgroot/$prefix/runtime/modules.txt"
  # As dh_strip does: no symbol tables in what is shipped (.dynsym stays, the JVM needs it); jlink leaves
  # its output read-only (0444), Debian wants 0644/0755.
  find "$pkgroot/$prefix/runtime" -type f -exec sh -c 'head -c 4 "$1" | grep -q ELF' _ {} \; -print0 \
    | xargs -0 strip --strip-unneeded --remove-section=.comment --remove-section=.note
  find "$pkgroot/$prefix/runtime" -type f -perm -u+x -exec chmod 0755 {} +
  find "$pkgroot/$prefix/runtime" -type f ! -perm -u+x -exec chmod 0644 {} +
  install_file 0644 "$jar" "$share/$(basename "$jar")"
  local lib
  for lib in "$root/$module/target/libs"/*.jar; do install_file 0644 "$lib" "$share/libs/$(basename "$lib")"; done

  # Package-specific files: packaging/<pkg>/files lists "MODE SOURCE DEST" lines.
  local mode file dest
  while read -r mode file dest; do
    case $mode in ''|'#'*) continue ;; esac
    install_file "$mode" "$src/$file" "$dest"
    case $dest in *.[1-8]) gzip -9n "$pkgroot/$dest" ;; esac
  done < "$src/files"

  # The build's date: SOURCE_DATE_EPOCH, else the commit's, so a rebuild of one commit says the same.
  local epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
  local doc="$pkgroot/usr/share/doc/$pkg"
  mkdir -p "$doc"
  { sed -e "s|@PREFIX@|$prefix|g" -e "s|@YEAR@|$(date -u -d "@$epoch" +%Y)|" "$root/packaging/copyright.head"
    python3 "$root/packaging/bundled-licenses.py" "$root/$module/target/libs" "$share/libs"; } > "$doc/copyright"
  printf '%s (%s) unstable; urgency=medium\n\n  * Built by make dist from %s.\n\n -- %s  %s\n' \
    "$pkg" "$version" "$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo 'a source tree')" \
    "$maintainer" "$(date -R -d "@$epoch")" \
    | gzip -9n > "$doc/changelog.gz"
  chmod 0644 "$doc/copyright" "$doc/changelog.gz"

  local s
  for s in conffiles postinst prerm postrm; do
    [ -f "$src/$s" ] || continue
    if [ $s = conffiles ]; then install -m 0644 "$src/$s" "$pkgroot/DEBIAN/$s"; else install -m 0755 "$src/$s" "$pkgroot/DEBIAN/$s"; fi
  done
  local shlibs size
  shlibs=$(shlibs_for "$pkgroot/$prefix/runtime")
  size=$(du -sk --exclude=DEBIAN "$pkgroot" | cut -f1)
  sed -e "s|@VERSION@|$version|" -e "s|@MAINTAINER@|$maintainer|" -e "s|@INSTALLED_SIZE@|$size|" \
      -e "s|@SHLIBS@|$shlibs|" "$src/control.in" > "$pkgroot/DEBIAN/control"
  (cd "$pkgroot" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs -d '\n' md5sum) \
    > "$pkgroot/DEBIAN/md5sums"
  chmod 0644 "$pkgroot/DEBIAN/md5sums" "$pkgroot/DEBIAN/control"
  find "$pkgroot" -type d -exec chmod 0755 {} +
  local deb="$out/${pkg}_${version}_amd64.deb"
  dpkg-deb --root-owner-group -Z"$compress" --build "$pkgroot" "$deb" >/dev/null
  echo "build-deb: $deb ($(du -h "$deb" | cut -f1))" >&2
  echo "$deb"
}

for p in "${packages[@]}"; do build_one "$p"; done
