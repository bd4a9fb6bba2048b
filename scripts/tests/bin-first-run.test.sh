#!/usr/bin/env bash
# A new user's first commands, for real: copies the repository's files (no target/) into a temporary
# folder and runs bin/loomgate there, which must build the gateway jar by itself with one progress line,
# then validate an example routes file; after a source file changes it must rebuild once, not every time.
# Two Maven builds of the gateway: 30-90 s on this shared 2-core machine, so it is its own target
# (make test-first-run) and not part of make test; ensure-built.test.sh covers the logic there.
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "Usage: scripts/tests/bin-first-run.test.sh   (no arguments; prints PASS/FAIL lines, exit 1 on any FAIL)"
  exit 0
fi

here=$(cd "$(dirname "$0")/../.." && pwd)
top=$(mktemp -d "${TMPDIR:-/tmp}/loomgate-first-run.XXXXXX")
trap 'rm -rf "$top"' EXIT
work="$top/loomgate"
mkdir "$work"
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; printf '%s\n' "${2:-}" | tail -n 20 | sed 's/^/    /'; }

# The files a clone would have (tracked, plus new ones not yet committed), never the build output.
(cd "$here" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$work"
cd "$work"
examples=gateway/src/main/resources/examples

run() { # runs the rest as a command; sets rc, out (stdout), err (stderr)
  rc=0
  "$@" > "$top/out" 2> "$top/err" || rc=$?
  out=$(cat "$top/out") err=$(cat "$top/err")
}
building_lines() { grep -c 'building ' <<< "$err" || true; }

if [ ! -e gateway/target ]; then ok "the copy has no gateway/target"; else fail "the copy has no gateway/target"; fi

run bin/loomgate --help
if [ $rc -eq 0 ] && grep -q '^Usage: loomgate' <<< "$out" \
   && [ "$err" = "loomgate: building loomgate-gateway.jar (first run, about a minute)..." ] \
   && [ -f gateway/target/loomgate-gateway.jar ]; then
  ok "bin/loomgate --help builds the jar on first use with one progress line, then prints its usage"
else
  fail "bin/loomgate --help on first use (rc=$rc)" "$err"$'\n'"$out"
fi

run bin/loomgate routes validate "$examples/routes.yaml"
verdict=$err   # the CLI reports its verdict on stderr
if [ $rc -eq 0 ] && [ "$(building_lines)" -eq 0 ] && grep -q ': valid' <<< "$verdict"; then
  ok "bin/loomgate routes validate $examples/routes.yaml passes without building again"
else
  fail "bin/loomgate routes validate $examples/routes.yaml (rc=$rc)" "$err"$'\n'"$out"
fi

# Validation really ran: a broken file is refused with exit 1 (the CLI's "routes invalid").
printf 'routes:\n  - id: broken\n    upstream: [not, a, name\n' > "$top/broken-routes.yaml"
run bin/loomgate routes validate "$top/broken-routes.yaml"
if [ $rc -eq 1 ]; then ok "a broken routes file is refused (exit 1)"; else fail "a broken routes file is refused (rc=$rc)" "$err"$'\n'"$out"; fi

# A source newer than the jar means the jar no longer matches the code: rebuild, once.
touch gateway/src/main/java/dev/loomgate/gateway/cli/LoomgateCli.java
run bin/loomgate routes validate "$examples/routes.yaml"
if [ $rc -eq 0 ] && [ "$err" = "loomgate: building loomgate-gateway.jar (sources changed since the last build)..."$'\n'"$verdict" ]; then
  ok "a changed source makes the next run rebuild the jar"
else
  fail "a changed source makes the next run rebuild the jar (rc=$rc)" "$err"$'\n'"$out"
fi
run bin/loomgate routes validate "$examples/routes.yaml"
if [ $rc -eq 0 ] && [ "$(building_lines)" -eq 0 ]; then
  ok "after the rebuild the jar counts as current"
else
  fail "after the rebuild the jar counts as current (rc=$rc)" "$err"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
