#!/usr/bin/env bash
# Builds module jars on first use, so every bin/ command works as the first thing typed in a fresh
# clone. Sourced by the bin/ scripts (then call: ensure_built MODULE...), or run directly.
#
# A module is (re)built when its jar is missing or older than anything in its src/main, its pom.xml
# or the parent pom.xml; only those modules (and what they need, -am) are built, with one progress
# line on stderr. Maven's own output also goes to stderr so a command's stdout stays its own.

# The jar each module's pom names in <finalName>.
_ensure_built_jar() {
  case $1 in
    gateway|consul-standin|chaos-harness|load-tests|benchmarks) echo "$1/target/loomgate-$1.jar" ;;
    *) echo "ensure-built: unknown module '$1' (gateway, consul-standin, chaos-harness, load-tests, benchmarks)" >&2; return 2 ;;
  esac
}

# Module jars a module copies into its own build (its jar is stale when one of them is newer).
_ensure_built_copies() {
  case $1 in
    benchmarks) echo "gateway load-tests" ;;
    *) echo "" ;;
  esac
}

# _ensure_built_copy_newer ROOT MODULE JAR STALE...: a module jar MODULE copies is stale (listed) or newer than JAR
_ensure_built_copy_newer() {
  local root=$1 module=$2 jar=$3 dep s
  shift 3
  for dep in $(_ensure_built_copies "$module"); do
    for s in "$@"; do [ "$s" = "$dep" ] && return 0; done
    [ "$root/$(_ensure_built_jar "$dep")" -nt "$root/$jar" ] && return 0
  done
  return 1
}

# ensure_built MODULE...: build the modules whose jar is missing or stale; exit status 1 if the build fails.
ensure_built() {
  local root who module jar missing=0 stale=() names=()
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  who=$(basename "$0")
  for module in "$@"; do
    jar=$(_ensure_built_jar "$module") || return 2
    if [ ! -f "$root/$jar" ]; then
      missing=1
    elif [ -z "$(cd "$root" && find "$module/src/main" "$module/pom.xml" pom.xml -newer "$jar" -print -quit)" ] \
        && ! _ensure_built_copy_newer "$root" "$module" "$jar" "${stale[@]+"${stale[@]}"}"; then
      continue
    fi
    stale+=("$module")
    names+=("$(basename "$jar")")
  done
  [ ${#stale[@]} -gt 0 ] || return 0
  local list why
  list=$(IFS=,; echo "${stale[*]}")
  if [ $missing -eq 1 ]; then why="first run, about a minute"; else why="sources changed since the last build"; fi
  echo "$who: building ${names[*]} ($why)..." >&2
  # forceCreation: Maven keeps an up-to-date jar's old timestamp, which would look stale again next time.
  if ! "$root/bin/mvn-jdk" -q -B -DskipTests -Dmaven.jar.forceCreation=true -pl "$list" -am package >&2; then
    echo "$who: building ${names[*]} failed (output above); 'make build' runs the same build" >&2
    return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case ${1:-} in
    ""|-h|--help)
      cat <<'EOF'
Usage: bin/lib/ensure-built.sh MODULE...

Builds the jar of each MODULE (gateway, consul-standin, chaos-harness, load-tests, benchmarks) when it
is missing or older than the module's sources (or than a module jar it copies), with one progress line
on stderr; does nothing when all are current. The bin/ commands source this file and call ensure_built themselves.
EOF
      [ -n "${1:-}" ] || exit 2
      exit 0 ;;
  esac
  ensure_built "$@"
fi
