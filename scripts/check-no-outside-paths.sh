#!/usr/bin/env bash
# Fails when a tracked file refers to a location outside the repository or to a path that exists on
# one particular machine: a fresh clone must build, test and read its docs with nothing beside it.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/check-no-outside-paths.sh [-C DIR]

Checks every file tracked by git (git ls-files) in the repository for references that only work on
one machine or outside the repository, and prints each as FILE:LINE: reason: text. Exit status 1
when there is any, 0 when there is none. Fast (one grep per rule over the tracked files).

Rules:
  absolute path of one machine   a path under the top-level work, root, home or Users folder
                                 (also in file:// URLs)
  session scratch folder         under /tmp: the shell's job folders, mktemp's tmp.XXXXXXXXXX, NAME-PID
  folder beside the repository   the team's shared folder reached with ../ (any depth)
  team notes outside the repo    that folder's consul-api, notes, DESIGN.md or hooks
Project scratch folders under /tmp with fixed names (e.g. /tmp/loomgate-cluster) are allowed.
This script names the patterns only as regular expressions, so it is checked like every other file.

Options:
  -C DIR      check the git repository at DIR (default: the repository this script is in)
  -h, --help  show this help
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    -C) [ $# -ge 2 ] || { echo "check-no-outside-paths: -C needs a directory" >&2; exit 2; }; repo=$2; shift 2 ;;
    *) echo "check-no-outside-paths: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
cd "$repo"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "check-no-outside-paths: $repo is not a git work tree" >&2; exit 2; }
files=()
while IFS= read -r -d '' f; do
  # A tracked file deleted in the work tree has nothing to check.
  [ ! -f "$f" ] || files+=("$f")
done < <(git ls-files -z)
[ ${#files[@]} -gt 0 ] || { echo "check-no-outside-paths: no tracked files in $repo"; exit 0; }

# Before a path: start of line or a character that cannot belong to a relative path or a URL host,
# so a relative path or a URL path that happens to contain one of the folder names is not a machine path.
# A bare top-level folder name with nothing under it is left alone: tests use "/work" as a request path,
# and a machine path names something under the folder.
pre='(^|[^[:alnum:]_.~-])'
end='($|[^[:alnum:]_.-])'
rules=(
  "absolute path of one machine|${pre}/(work|root|home|Users)/"
  "session scratch folder|/tmp/(bash_jobs|tmp\.[[:alnum:]]{10}${end}|[[:alnum:]_.-]+-[0-9]{4,}(/|\$))"
  "folder beside the repository|(\.\./)+shared${end}"
  "team notes outside the repository|(^|[^[:alnum:]_-])shared/(consul-api|notes|DESIGN\.md|hooks)"
)

found=0
for rule in "${rules[@]}"; do
  reason=${rule%%|*} regex=${rule#*|}
  # grep: 0 = matches, 1 = none, anything else = a real error that must not pass silently.
  set +e
  hits=$(grep -nHIE -- "$regex" "${files[@]}")
  rc=$?
  set -e
  [ $rc -le 1 ] || { echo "check-no-outside-paths: grep failed ($rc) for rule: $reason" >&2; exit 2; }
  [ $rc -eq 0 ] || continue
  while IFS= read -r hit; do
    file=${hit%%:*} rest=${hit#*:}
    line=${rest%%:*} text=${rest#*:}
    text=$(printf '%s' "$text" | sed 's/^[[:space:]]*//' | cut -c1-160)
    printf '%s:%s: %s: %s\n' "$file" "$line" "$reason" "$text"
    found=$((found + 1))
  done <<< "$hits"
done

if [ $found -gt 0 ]; then
  echo "check-no-outside-paths: $found reference(s) to places outside the repository or of one machine;" \
       "copy what is needed into the repository and point at the copy" >&2
  exit 1
fi
echo "check-no-outside-paths: ${#files[@]} tracked files, no outside references"
