#!/usr/bin/env bash
# Prints the Debian version of the packages built from this checkout: the Maven project version, with
# -SNAPSHOT turned into "~dev<commits>+g<sha>" so every commit's build sorts after the previous one and
# before the release it leads to (0.1.0~dev812+ga9a40d2 < 0.1.0). LOOMGATE_DEB_VERSION overrides it
# (the rolling-upgrade test builds a second version that way).
set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${LOOMGATE_DEB_VERSION:-}" ]; then
  if ! [[ $LOOMGATE_DEB_VERSION =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
    echo "version.sh: LOOMGATE_DEB_VERSION '$LOOMGATE_DEB_VERSION' is not a Debian upstream version (digit first, then [A-Za-z0-9.+~])" >&2
    exit 2
  fi
  echo "$LOOMGATE_DEB_VERSION"; exit 0
fi
maven=$(python3 - "$root/pom.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
v = ET.parse(sys.argv[1]).getroot().find("m:version", ns)
if v is None or not (v.text or "").strip():
    sys.exit("version.sh: no <version> in " + sys.argv[1])
print(v.text.strip())
PY
)
case $maven in
  *-SNAPSHOT)
    base=${maven%-SNAPSHOT}
    if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
      echo "$base~dev$(git -C "$root" rev-list --count HEAD)+g$(git -C "$root" rev-parse --short=7 HEAD)"
    else
      echo "$base~dev"
    fi ;;
  *) echo "${maven//-/.}" ;;
esac
