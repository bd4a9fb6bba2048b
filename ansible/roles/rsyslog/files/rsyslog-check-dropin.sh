#!/bin/sh
# Checks an rsyslog drop-in (rsyslogd -N1) inside a master config that sets what Debian's /etc/rsyslog.conf
# sets for it (workDirectory, needed by imfile). Usage: rsyslog-check-dropin FILE
set -eu
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
printf 'global(workDirectory="%s")\ninclude(file="%s")\n' "$d" "$1" > "$d/check.conf"
rsyslogd -N1 -f "$d/check.conf"
