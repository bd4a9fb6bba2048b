#!/usr/bin/env bash
# The gateway jar's JDK AOT cache (JEP 483/514/515) for bin/ scripts; the local cluster does the same in Java
# (chaos-harness cluster.AotCache: same directory and names, so caches are shared where the flags match).
# Sourced; then: flags=$(aot_cache_flag JAVA JAR FLAG...) prints "-XX:AOTCache=FILE" (made by a training run
# the first time for this jar build, flags and JDK; about a minute), or "-Xshare:auto" when the JDK is older
# than 25, LOOMGATE_AOT_CACHE=off, or the training run failed. Progress goes to stderr.
aot_cache_flag() {
  local java=$1 jar=$2; shift 2
  local feature version jarsha flagsha dir cache tmp log
  version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
  feature=${version%%[.+-]*}
  if [ "${LOOMGATE_AOT_CACHE:-}" = off ] || ! [ "${feature:-0}" -ge 25 ] 2>/dev/null; then
    echo "-Xshare:auto"; return 0
  fi
  jarsha=$(sha256sum "$jar" | cut -c1-16)
  flagsha=$( (IFS=$'\x1f'; printf '%s' "$*") | sed 's/\x1f/\x00/g' | sha256sum | cut -c1-8)
  dir=$(cd "$(dirname "$jar")" && pwd)/aot
  cache="$dir/loomgate-gateway-$jarsha-$flagsha-jdk${version//[^A-Za-z0-9.]/_}.aot"
  if [ ! -s "$cache" ]; then
    mkdir -p "$dir"
    find "$dir" -maxdepth 1 -name 'loomgate-gateway-*.aot' ! -name "loomgate-gateway-$jarsha-*" -delete
    tmp="$cache.$$.tmp"; log="$dir/training.log"
    echo "aot-cache: training run for $(basename "$jar") (log $log)..." >&2
    if "$java" "$@" "-XX:AOTCacheOutput=$tmp" -cp "$jar" dev.loomgate.gateway.warmup.AotTraining --requests 8000 \
        > "$log" 2>&1 && [ -s "$tmp" ]; then
      mv -f "$tmp" "$cache"
    else
      rm -f "$tmp"
      echo "aot-cache: training run failed (see $log); starting without a cache" >&2
      echo "-Xshare:auto"; return 0
    fi
  fi
  echo "-XX:AOTCache=$cache"
}
