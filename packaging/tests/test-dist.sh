#!/usr/bin/env bash
# make test-dist: builds both packages (packaging/build-deb.sh) unless --debs names built ones, then runs
# check-deb.sh on both, check-deb.test.sh (its failure proof), lintian (errors and warnings fail; the
# overrides carry their reasons) and deb-install.test.sh (install/run/purge in a throwaway root).
#   packaging/tests/test-dist.sh [--debs GATEWAY_DEB STANDIN_DEB]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case ${1:-} in
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --debs) [ $# -eq 3 ] || { echo "test-dist: --debs needs GATEWAY_DEB STANDIN_DEB" >&2; exit 2; }; gw=$2; st=$3 ;;
  "") mapfile -t debs < <("$root/packaging/build-deb.sh")
      gw=${debs[0]}; st=${debs[1]} ;;
  *) echo "test-dist: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
command -v lintian >/dev/null || { echo "test-dist: lintian is missing (make deps)" >&2; exit 2; }
start=$SECONDS
"$here/check-deb.sh" "$gw" "$st"
"$here/check-deb.test.sh" "$gw"
# lintian refuses to run as root without saying so; the warning about it is not a finding.
lintian --fail-on error,warning "$gw" "$st" 2> >(grep -v 'running with root privileges is not recommended' >&2)
echo "test-dist: lintian: no errors or warnings (overrides: packaging/*/lintian-overrides)"
"$here/deb-install.test.sh" "$gw" "$st"
echo "test-dist: ok ($((SECONDS - start)) s of checks after the build)"
