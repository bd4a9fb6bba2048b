#!/usr/bin/env bash
# Fast test of bin/lib/ensure-built.sh with a fake bin/mvn-jdk (no Maven): builds exactly the missing or
# stale modules with one progress line, nothing when all jars are current, fails loudly when the build
# fails; and every bin/ entry point uses it. The real build is scripts/tests/bin-first-run.test.sh.
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "Usage: scripts/tests/ensure-built.test.sh   (no arguments; prints PASS/FAIL lines, exit 1 on any FAIL)"
  exit 0
fi

here=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d "${TMPDIR:-/tmp}/loomgate-ensure-built.XXXXXX")
trap 'rm -rf "$t"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; printf '%s\n' "${2:-}" | tail -n 15 | sed 's/^/    /'; }

# A miniature repository: the real helper, a fake Maven that logs its arguments and "packages" each
# -pl module by writing its jar, and a command that sources the helper as the bin/ scripts do.
mkdir -p "$t/bin/lib"
cp "$here/bin/lib/ensure-built.sh" "$t/bin/lib/"
cat > "$t/bin/mvn-jdk" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
echo "$*" >> "$root/mvn.log"
[ "${FAKE_MVN_RC:-0}" -eq 0 ] || { echo "[ERROR] fake build failure"; exit "$FAKE_MVN_RC"; }
prev=; for a in "$@"; do [ "$prev" = -pl ] && pl=$a; prev=$a; done
IFS=, read -ra mods <<< "$pl"
for m in "${mods[@]}"; do mkdir -p "$root/$m/target"; : > "$root/$m/target/loomgate-$m.jar"; done
EOF
cat > "$t/bin/tool" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bin/lib/ensure-built.sh"
ensure_built gateway consul-standin
echo "tool ran"
EOF
chmod +x "$t/bin/mvn-jdk" "$t/bin/tool"
for m in gateway consul-standin; do
  mkdir -p "$t/$m/src/main/java"
  echo '<project/>' > "$t/$m/pom.xml"
  echo 'class A {}' > "$t/$m/src/main/java/A.java"
done
echo '<project/>' > "$t/pom.xml"
# Sources (files and folders: a deleted file changes its folder) well before any jar.
find "$t" -exec touch -d '-1 hour' {} +

run() { # runs the rest as a command; sets rc, out, err, mvn (the fake Maven's log for this run)
  rc=0; rm -f "$t/mvn.log"
  "$@" > "$t/out" 2> "$t/err" || rc=$?
  out=$(cat "$t/out") err=$(cat "$t/err") mvn=$(cat "$t/mvn.log" 2>/dev/null || true)
}
age_jars() { touch -d '-30 min' "$t"/*/target/*.jar; }   # built half an hour ago

run "$t/bin/tool"
if [ $rc -eq 0 ] && [ "$out" = "tool ran" ] \
   && [ "$err" = "tool: building loomgate-gateway.jar loomgate-consul-standin.jar (first run, about a minute)..." ] \
   && [ "$mvn" = "-q -B -DskipTests -Dmaven.jar.forceCreation=true -pl gateway,consul-standin -am package" ]; then
  ok "missing jars: one Maven build of both modules, one progress line on stderr, then the command runs"
else
  fail "missing jars (rc=$rc)" "stderr: $err"$'\n'"stdout: $out"$'\n'"mvn: $mvn"
fi

age_jars
run "$t/bin/tool"
if [ $rc -eq 0 ] && [ -z "$err" ] && [ -z "$mvn" ]; then ok "current jars: no build, no message"; else fail "current jars (rc=$rc)" "$err"$'\n'"mvn: $mvn"; fi

touch -d '-10 min' "$t/gateway/src/main/java/A.java"
run "$t/bin/tool"
if [ $rc -eq 0 ] && [ "$err" = "tool: building loomgate-gateway.jar (sources changed since the last build)..." ] \
   && [[ $mvn == *"-pl gateway -am package" ]]; then
  ok "a changed gateway source rebuilds the gateway only"
else
  fail "a changed gateway source (rc=$rc)" "$err"$'\n'"mvn: $mvn"
fi

touch -d '-1 hour' "$t/gateway/src/main/java/A.java"   # back to unchanged
age_jars; touch -d '-10 min' "$t/consul-standin/pom.xml"
run "$t/bin/tool"
if [ $rc -eq 0 ] && [[ $mvn == *"-pl consul-standin -am package" ]]; then ok "a changed module pom rebuilds that module"; else fail "a changed module pom (rc=$rc)" "mvn: $mvn"; fi

age_jars; touch -d '-10 min' "$t/pom.xml"
run "$t/bin/tool"
if [ $rc -eq 0 ] && [[ $mvn == *"-pl gateway,consul-standin -am package" ]]; then ok "a changed parent pom rebuilds both"; else fail "a changed parent pom (rc=$rc)" "mvn: $mvn"; fi

rm "$t/gateway/target/loomgate-gateway.jar"
FAKE_MVN_RC=1 run "$t/bin/tool"
if [ $rc -eq 1 ] && [ "$out" != "tool ran" ] && grep -q 'fake build failure' <<< "$err" \
   && grep -q "^tool: building loomgate-gateway.jar failed" <<< "$err"; then
  ok "a failed build stops the command with exit 1, Maven's output and a message on stderr"
else
  fail "a failed build (rc=$rc)" "stderr: $err"$'\n'"stdout: $out"
fi

# benchmarks copies the gateway and load-tests jars into its build: a newer gateway jar makes it stale
for m in load-tests benchmarks; do
  mkdir -p "$t/$m/src/main/java" "$t/$m/target"; echo '<project/>' > "$t/$m/pom.xml"
  echo 'class A {}' > "$t/$m/src/main/java/A.java"; touch -d '-1 hour' "$t/$m/pom.xml" "$t/$m/src/main/java/A.java" "$t/$m/src/main/java" "$t/$m/src/main" "$t/$m/src"
  : > "$t/$m/target/loomgate-$m.jar"
done
touch -d '-1 hour' "$t/gateway/src/main/java/A.java" "$t/pom.xml" "$t/consul-standin/pom.xml"; : > "$t/gateway/target/loomgate-gateway.jar"
age_jars
run bash -c ". '$t/bin/lib/ensure-built.sh' && ensure_built gateway load-tests benchmarks"
if [ $rc -eq 0 ] && [ -z "$mvn" ]; then ok "benchmarks with current copies: no build"; else fail "benchmarks with current copies (rc=$rc)" "$err"$'\n'"mvn: $mvn"; fi
touch -d '-5 min' "$t/gateway/target/loomgate-gateway.jar"
run bash -c ". '$t/bin/lib/ensure-built.sh' && ensure_built gateway load-tests benchmarks"
if [ $rc -eq 0 ] && [[ $mvn == *"-pl benchmarks -am package" ]]; then ok "a gateway jar newer than the benchmarks jar rebuilds benchmarks"; else fail "a newer copied jar (rc=$rc)" "$err"$'\n'"mvn: $mvn"; fi
age_jars; touch -d '-10 min' "$t/gateway/src/main/java/A.java"
run bash -c ". '$t/bin/lib/ensure-built.sh' && ensure_built gateway load-tests benchmarks"
if [ $rc -eq 0 ] && [[ $mvn == *"-pl gateway,benchmarks -am package" ]]; then ok "a changed gateway source rebuilds the gateway and benchmarks"; else fail "a changed gateway source with benchmarks (rc=$rc)" "$err"$'\n'"mvn: $mvn"; fi
touch -d '-1 hour' "$t/gateway/src/main/java/A.java"

run "$t/bin/lib/ensure-built.sh" no-such-module
if [ $rc -eq 2 ] && grep -q "unknown module 'no-such-module'" <<< "$err"; then ok "an unknown module is a usage error"; else fail "an unknown module (rc=$rc)" "$err"; fi

run "$t/bin/lib/ensure-built.sh" --help
if [ $rc -eq 0 ] && grep -q '^Usage: bin/lib/ensure-built.sh MODULE' <<< "$out"; then ok "--help"; else fail "--help (rc=$rc)" "$out$err"; fi

# Every bin/ entry point that runs a module builds it through the helper (find-java and mvn-jdk are the
# helper's own tools and run no module).
for f in "$here"/bin/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  # bench-upstream-client runs the gateway's test classes, which no module jar holds: it compiles them with
  # Maven on every run (test-compile), so there is no jar for the helper to keep current
  case $name in find-java|mvn-jdk|bench-upstream-client) continue ;; esac
  if grep -q '^\. .*bin/lib/ensure-built\.sh"\?$' "$f" && grep -q '^ensure_built ' "$f"; then
    ok "bin/$name builds what it needs via bin/lib/ensure-built.sh"
  else
    fail "bin/$name builds what it needs via bin/lib/ensure-built.sh"
  fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
