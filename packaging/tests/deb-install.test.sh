#!/usr/bin/env bash
# Install -> run -> purge proof of the two packages inside a THROWAWAY ROOT (dpkg --root with
# --force-script-chrootless: the maintainer scripts run with DPKG_ROOT set). Never installs on the host,
# and checks afterwards that the host's users and unit links did not change.
#   1. dpkg --root installs loomgate-consul-standin and loomgate-gateway: user loomgate in the root's
#      /etc/passwd, units enabled by links under the root's /etc/systemd/system, conffiles in place.
#   2. The stand-in and a gateway node run from the INSTALLED runtimes (the package's jlink'ed java, not
#      the build JDK) on free loopback ports; the installed CLI pushes routes to the stand-in, the node
#      picks them up from Consul KV and proxies a request (its upstream is the stand-in itself).
#   3. dpkg --purge removes everything: files, user, unit links, state.
# The throwaway root has no Debian base system, so dependencies are not resolved here (--force-depends);
# check-deb.sh checks the Depends field, and the booted-machine test installs with apt.
# Usage: packaging/tests/deb-install.test.sh GATEWAY_DEB STANDIN_DEB
set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -eq 2 ] && [ -f "$1" ] && [ -f "$2" ] || { echo "usage: deb-install.test.sh GATEWAY_DEB STANDIN_DEB" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "deb-install.test: SKIPPED: needs root (dpkg --root writes root-owned files)" >&2; exit 0; }
gw_deb=$(realpath "$1"); st_deb=$(realpath "$2")
work=$(mktemp -d "${TMPDIR:-/tmp}/deb-install.XXXXXX")
root="$work/root"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "deb-install.test: FAIL: $*" >&2; for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }; done; exit 1; }
step() { echo "deb-install.test: $*" >&2; }

host_state() { getent passwd loomgate || true; getent group loomgate || true; ls /etc/systemd/system/multi-user.target.wants/ 2>/dev/null | grep loomgate || true; }
before=$(host_state)

# The minimum a root needs for dpkg and for the user database.
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc" "$root/usr/sbin"
: > "$root/var/lib/dpkg/status"
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf 'root:*:19000:0:99999:7:::\n' > "$root/etc/shadow"
printf 'root:*::\n' > "$root/etc/gshadow"
chmod 0640 "$root/etc/shadow" "$root/etc/gshadow"
dpkg_root() { dpkg --root="$root" --force-script-chrootless --force-depends --log="$work/dpkg.log" "$@"; }

step "install into $root"
dpkg_root -i "$st_deb" "$gw_deb" > "$work/install.log" 2>&1 || fail "dpkg -i into the throwaway root"
for p in loomgate-gateway loomgate-consul-standin; do
  dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}\n' "$p" | grep -q 'install ok installed' || fail "$p is not installed"
done
grep -q '^loomgate:x:[0-9]*:[0-9]*:Loomgate gateway:/var/lib/loomgate:/usr/sbin/nologin$' "$root/etc/passwd" \
  || fail "postinst did not create the system user (root's /etc/passwd: $(cat "$root/etc/passwd"))"
uid=$(awk -F: '$1 == "loomgate" {print $3}' "$root/etc/passwd")
[ "$uid" -lt 1000 ] || fail "user loomgate has uid $uid, not a system uid"
grep -q '^loomgate:' "$root/etc/group" || fail "no group loomgate"
for u in loomgate-gateway loomgate-consul-standin; do
  [ -L "$root/etc/systemd/system/multi-user.target.wants/$u.service" ] || fail "$u.service is not enabled in the root"
done
[ -f "$root/etc/loomgate/gateway.yaml" ] && [ -f "$root/etc/loomgate/routes.yaml" ] || fail "default config missing"
[ "$(host_state)" = "$before" ] || fail "the host's users or unit links changed: before '$before', after '$(host_state)'"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # URL WHAT PID: bounded in tries and time
  local i
  for i in $(seq 1 150); do
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || fail "$2 exited"
    sleep 0.2
  done
  fail "$2 did not answer $1 within 30 s"
}
gw_java="$root/usr/lib/loomgate/runtime/bin/java"
st_java="$root/usr/lib/loomgate-consul-standin/runtime/bin/java"
"$gw_java" -version 2>&1 | grep -q 'version' || fail "the installed runtime does not run"
# No java.desktop in the runtime: the proof below runs without it.
"$gw_java" --list-modules | grep -q '^java.desktop' && fail "the installed runtime has java.desktop"

cport=$(free_port)
step "stand-in from its installed runtime on 127.0.0.1:$cport"
"$st_java" -jar "$root/usr/share/loomgate-consul-standin/loomgate-consul-standin.jar" --host 127.0.0.1 --port "$cport" \
  --data-dir "$work/standin-data" > "$work/standin.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$cport/v1/status/leader" "the stand-in" "${pids[-1]}"

gport=$(free_port); aport=$(free_port)
# The installed default config, with this test's ports and writable paths, plus Consul.
sed -e "s|port: 8080|port: $gport|" -e "s|admin-port: 9080|admin-port: $aport|" -e "s|host: 0.0.0.0|host: 127.0.0.1|" \
    -e "s|/var/log/loomgate/access.log|$work/access.log|" -e "s|/etc/loomgate/routes.yaml|$root/etc/loomgate/routes.yaml|" \
    "$root/etc/loomgate/gateway.yaml" > "$work/gateway.yaml"
cat >> "$work/gateway.yaml" <<YAML
consul:
  addresses: ["127.0.0.1:$cport"]
  snapshot-file: $work/state/loomgate-snapshot.json
  register: false
YAML
mkdir -p "$work/state"
step "gateway node from the installed runtime on 127.0.0.1:$gport (admin $aport)"
"$gw_java" -XX:+UseSerialGC -Xmx128m -jar "$root/usr/share/loomgate/loomgate-gateway.jar" --config "$work/gateway.yaml" \
  --node-id pkg-test > "$work/gateway.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$aport/health/live" "the gateway node" "${pids[-1]}"

cat > "$work/routes.yaml" <<YAML
version: "pkg-test-1"
upstreams:
  - name: standin
    endpoints: ["127.0.0.1:$cport"]
routes:
  - id: consul-status
    upstream: standin
    match: { path-prefix: /v1/status }
YAML
cli() { "$gw_java" -XX:TieredStopAtLevel=1 -cp "$root/usr/share/loomgate/loomgate-gateway.jar" dev.loomgate.gateway.cli.LoomgateCli "$@"; }
cli routes validate "$root/etc/loomgate/routes.yaml" > "$work/cli.log" 2>&1 || fail "the installed CLI rejects the installed routes.yaml"
cli --consul "127.0.0.1:$cport" routes push "$work/routes.yaml" >> "$work/cli.log" 2>&1 || fail "loomgate routes push"
step "routes pushed; waiting for the node to proxy /v1/status/leader to the stand-in"
ok=0
for i in $(seq 1 150); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$gport/v1/status/leader")" = 200 ]; then ok=1; break; fi
  kill -0 "${pids[-1]}" 2>/dev/null || fail "the gateway node exited"
  sleep 0.2
done
[ $ok = 1 ] || fail "the node never proxied the pushed route (last: $(curl -s -w ' %{http_code}' "http://127.0.0.1:$gport/v1/status/leader"))"
[ -s "$work/state/loomgate-snapshot.json" ] || fail "the node wrote no Consul snapshot to its state dir"
wait_http "http://127.0.0.1:$aport/health/ready" "the gateway node" "${pids[-1]}"
for p in "${pids[@]}"; do kill "$p"; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

step "purge"
dpkg_root --purge loomgate-gateway loomgate-consul-standin > "$work/purge.log" 2>&1 || fail "dpkg --purge in the throwaway root"
# What the test itself created (passwd files, their backups and lock, dpkg database) may stay.
left=$(cd "$root" && find . -mindepth 1 \( -path ./var/lib/dpkg -o -path ./var/log \) -prune -o -print | grep -v -E '^\./(etc|etc/(passwd|group|shadow|gshadow)-?|usr|usr/sbin|var|var/lib|var/lib/dpkg|var/log|etc/\.pwd\.lock|etc/systemd|etc/systemd/system|var/lib/systemd)$' || true)
[ -z "$left" ] || fail "left behind after purge: $(tr '\n' ' ' <<<"$left")"
grep -q '^loomgate:' "$root/etc/passwd" && fail "user loomgate still in the root's /etc/passwd"
grep -q '^loomgate:' "$root/etc/group" && fail "group loomgate still in the root's /etc/group"
[ "$(host_state)" = "$before" ] || fail "the host's users or unit links changed"
step "ok: installed, ran from the packaged runtimes (routes pushed with the CLI, proxied by the node), purged clean"
