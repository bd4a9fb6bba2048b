#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks start (each test starts its own instances).
set -euo pipefail
need=()
for pair in redis-server:redis-server redis-sentinel:redis-sentinel nginx:nginx-light wrk:wrk haproxy:haproxy \
    ansible-playbook:ansible ansible-lint:ansible-lint keepalived:keepalived promtool:prometheus amtool:prometheus-alertmanager chromium:chromium \
    ab:apache2-utils curl:curl rsyslogd:rsyslog \
    prometheus-redis-exporter:prometheus-redis-exporter \
    node:nodejs npm:npm dpkg-shlibdeps:dpkg-dev lintian:lintian; do
  cmd=${pair%%:*}; pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || [ -x "/usr/bin/$cmd" ] || need+=("$pkg")
done
# central logs ship over RELP (omrelp/imrelp), a separate package
compgen -G "/usr/lib/*/rsyslog/omrelp.so" >/dev/null || need+=(rsyslog-relp)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "loomgate: missing packages: ${need[*]}; install them as root: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "loomgate: installing ${need[*]} (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts no services here (no init), but be sure none of ours is left running from the install
for svc in nginx redis-server haproxy rsyslogd; do
  pid=$(cat /run/$svc.pid /run/$svc/$svc.pid 2>/dev/null | head -n1 || true)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
done
