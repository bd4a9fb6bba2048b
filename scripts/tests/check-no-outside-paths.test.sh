#!/usr/bin/env bash
# Proves scripts/check-no-outside-paths.sh can fail: each kind of bad reference, tracked in a throwaway
# git repository, must make it exit 1 with FILE:LINE; a clean repository and untracked files must pass.
# The bad strings are built at run time so this file itself holds none of them.
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "Usage: scripts/tests/check-no-outside-paths.test.sh   (no arguments; prints PASS/FAIL lines, exit 1 on any FAIL)"
  exit 0
fi

here=$(cd "$(dirname "$0")/../.." && pwd)
check="$here/scripts/check-no-outside-paths.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/loomgate-paths-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 n=0

ok()   { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; printf '%s\n' "${2:-}" | tail -n 15 | sed 's/^/    /'; }

# new_repo FILE CONTENT [untracked]: a fresh git repository holding FILE (tracked unless "untracked")
new_repo() {
  n=$((n + 1)); repo="$work/r$n"
  mkdir -p "$repo/$(dirname "$1")"
  git -C "$repo" init -q
  printf 'clean line\n%s\n' "$2" > "$repo/$1"
  [ "${3:-}" = untracked ] || git -C "$repo" add -- "$1"
}

expect_fail() { # name file content
  new_repo "$2" "$3"
  local out rc=0
  out=$("$check" -C "$repo" 2>&1) || rc=$?
  if [ $rc -eq 1 ] && grep -qF "$2:2:" <<< "$out"; then ok "$1 is reported as $2:2"; else fail "$1 (rc=$rc)" "$out"; fi
}

expect_pass() { # name file content [untracked]
  new_repo "$2" "$3" "${4:-}"
  local out rc=0
  out=$("$check" -C "$repo" 2>&1) || rc=$?
  if [ $rc -eq 0 ]; then ok "$1 passes"; else fail "$1 (rc=$rc)" "$out"; fi
}

w=wo; r=ro; h=ho; u=Us; s=sha; j=jo; t=tmp
expect_fail "a work-folder path"          docs/a.md   "see /${w}rk/${s}red/notes/x.md"
expect_fail "a root home path"            src/A.java  "Path.of(\"/${r}ot/.m2/repository\")"
expect_fail "a home path"                 run.sh      "cd /${h}me/alice/loomgate"
expect_fail "a macOS home path"           README.md   "(/${u}ers/alice/src/loomgate)"
expect_fail "a file URL to a work folder" docs/b.md   "[spec](file:///${w}rk/x/SPEC.md)"
expect_fail "a folder beside the repo"    docs/c.md   "The design is ../${s}red/DESIGN.md."
expect_fail "two levels up"               a/b/c.md    "../../${s}red"
expect_fail "the contract outside"        X.java      "// see ${s}red/consul-api/SPEC.md"
expect_fail "the notes outside"           roles.yml   "# measured in ${s}red/notes/infra.md"
expect_fail "a session jobs folder"       log.txt     "output in /tmp/bash_${j}bs.0/x"
expect_fail "a PID-named scratch folder"  notes.md    "git clone . /tmp/fc-$((12345))/loomgate"
expect_fail "a mktemp folder"             notes.md    "ran in /tmp/${t}.Ab3dEf9hIj and passed"

expect_pass "a clean repository" docs/ok.md "$(printf '%s\n' \
  'shared rate limits in Redis; 2 cores shared with other work' \
  'default work folder /tmp/loomgate-cluster, render into /tmp/loomgate-render' \
  'URI.create("http://127.0.0.1:" + port + "/work")' \
  "https://example.com/${h}me/index.html and src/${w}rk/x and ./${r}ot/y" \
  'contracts/consul-api/SPEC.md and docs/notes/infra.md')"
expect_pass "an untracked bad file" docs/scratch.md "/${w}rk/${s}red/x" untracked

# No file is exempt, the check script's own path included; one line breaking two rules is reported per rule.
new_repo scripts/check-no-outside-paths.sh "# example: ../${s}red and /${h}me/x/"
rc=0; out=$("$check" -C "$repo" 2>&1) || rc=$?
if [ $rc -eq 1 ] && grep -q '^scripts/check-no-outside-paths.sh:2:' <<< "$out"; then
  ok "the check script's own path is checked too"
else
  fail "the check script's own path is checked too (rc=$rc)" "$out"
fi
new_repo scripts/other.sh "# example: ../${s}red and /${h}me/x/"
rc=0; out=$("$check" -C "$repo" 2>&1) || rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c '^scripts/other.sh:2:' <<< "$out")" -eq 2 ]; then
  ok "the same text in another file is reported once per rule"
else
  fail "the same text in another file is reported once per rule (rc=$rc)" "$out"
fi

# And the repository itself is clean.
rc=0; out=$("$check" 2>&1) || rc=$?
if [ $rc -eq 0 ]; then ok "this repository has no outside references"; else fail "this repository has no outside references" "$out"; fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
