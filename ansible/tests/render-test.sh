#!/usr/bin/env bash
# Rendering test for ansible/: renders the netns (2 LBs + VIP, 3 gateways) and loopback inventories,
# checks that each tool accepted its file, that broken inventory values are rejected with the tool's own
# message, and that ansible-lint and --syntax-check pass. Last line: "N passed, M failed".
# Needs: ansible, ansible-lint, haproxy, keepalived, promtool, amtool, rsyslogd (make deps).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PATH="$PATH:/usr/sbin:/sbin"
work=$(mktemp -d /tmp/loomgate-render-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 25 | sed 's/^/    /'; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

for tool in ansible-playbook ansible-lint haproxy keepalived promtool amtool rsyslogd; do
  if ! command -v "$tool" >/dev/null; then
    fail "tool $tool is installed (make deps)"; echo "$passed passed, $failed failed"; exit 1
  fi
done

render() { # inventory outdir [extra args...] -> output in $out, status in $rc
  local inv=$1 dir=$2; shift 2
  out=$(ansible-playbook render.yml -i "$inv" -e "render_dir=$dir" "$@" 2>&1); rc=$?
}

# The renders that need nothing the sections below make start here, side by side (each is CPU-bound Ansible; at
# most 3 at a time on the 2 cores), and each section collects its own: 64 s -> 57 s for the whole test here.
prerender() { # inventory outdir [extra args...]: started in the background; collect outdir gives $out, $rc
  local inv=$1 dir=$2 key=${2//\//_}; shift 2
  while [ "$(jobs -rp | wc -l)" -ge 3 ]; do wait -n; done
  (ansible-playbook render.yml -i "$inv" -e "render_dir=$dir" "$@" >"$work/pre/$key.out" 2>&1
   echo $? >"$work/pre/$key.rc") &
  echo $! >"$work/pre/$key.pid"
}
collect() { # outdir -> output in $out, status in $rc, of its prerender
  local key=${1//\//_}
  wait "$(cat "$work/pre/$key.pid")" 2>/dev/null # returns at once when wait -n already reaped it
  out=$(cat "$work/pre/$key.out"); rc=$(cat "$work/pre/$key.rc")
}
# broken inventory values (checked in their section below): a host stops at its first error, so each broken
# value sits on its own host
broken_inventory() { # name, then "host var value" triples -> an inventory dir with those host vars added
  local dir="$work/broken-$1"; shift; cp -r inventories/netns "$dir"; mkdir -p "$dir/host_vars"
  while [ $# -ge 3 ]; do printf '%s: %s\n' "$2" "$3" >> "$dir/host_vars/$1.yml"; shift 3; done
  echo "$dir"
}
mkdir -p "$work/pre"
ns="$work/netns" lo="$work/loopback" gf="$work/grafana" rr="$work/rules"
prerender inventories/netns "$ns"
prerender inventories/loopback "$lo" -e port_offset=100
prerender inventories/loopback "$gf" --limit mon1 \
  -e '{"grafana_provisioning_dir": "'"$gf"'/provisioning", "alertmanager_webhook_url": "http://127.0.0.1:5001/hook"}'
prerender inventories/loopback "$rr" --limit lb1 \
  -e '{"haproxy_http_request_rules": ["deny deny_status 403 if { path_sub SMUGGLED }", "set-header X-Rule-Test yes"]}'
prerender inventories/netns "$work/tls-bad1" --limit lb1 -e haproxy_tls_mode=terminate
prerender inventories/netns "$work/tls-bad2" --limit lb1 -e haproxy_tls_mode=terminate -e '{"haproxy_tls_certs": ["/nonexistent/loomgate.pem"]}'
prerender inventories/netns "$work/tls-bad3" --limit lb1 -e haproxy_tls_mode=offload
prerender "$(broken_inventory one lb2 haproxy_check_inter 5xs lb1 keepalived_vip 10.77.0.300 \
          mon1 prometheus_scrape_timeout 5s redis2 redis_role master)" "$work/out-one" --limit lb1,lb2,mon1,redis1,redis2
prerender "$(broken_inventory two lb1 keepalived_interface nosuch9 lb1 keepalived_validate_interface "''")" "$work/out-two" --limit lb1
prerender "$(broken_inventory three lb1 haproxy_http_request_rules '["deny if { nosuchfetch }"]')" "$work/out-three" --limit lb1
prerender "$(broken_inventory four gw1 rsyslog_queue_max_disk_space lots mon1 rsyslog_protocol udp)" "$work/out-four" --limit gw1,mon1
prerender "$(broken_inventory five mon1 alertmanager_group_wait 10x)" "$work/out-five" --limit mon1

# --- netns: 2 LBs with a VIP, 3 gateways, Redis + Sentinels, Prometheus -------------------------
collect "$ns"
if [ "$rc" -eq 0 ]; then ok "netns inventory renders (haproxy -c, keepalived -t, promtool, rsyslogd -N1 accepted every file)"
else fail "netns inventory renders" "$out"; fi
missing=()
for f in lb1/haproxy.cfg lb2/haproxy.cfg lb1/keepalived.conf lb2/keepalived.conf gw1/gateway.yaml gw2/gateway.yaml \
         gw3/gateway.yaml gw1/routes.yaml redis1/redis.conf redis2/redis.conf redis1/redis-exporter.env redis2/redis-exporter.env sentinel1/sentinel.conf \
         sentinel3/sentinel.conf mon1/prometheus.yml mon1/loomgate-alerts.yml mon1/alertmanager.yml gw1/rsyslog.conf gw3/rsyslog.conf mon1/rsyslog.conf cluster.json; do
  [ -s "$ns/$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -eq 0 ]; then ok "netns: every expected file rendered"; else fail "netns: missing ${missing[*]}"; fi
check "netns: validators accept the rendered files again (haproxy -c, keepalived -t, promtool)" \
  bash -c "haproxy -c -f '$ns/lb1/haproxy.cfg' >/dev/null 2>&1 && haproxy -c -f '$ns/lb2/haproxy.cfg' >/dev/null 2>&1 \
    && roles/keepalived/files/keepalived-validate.sh '$ns/lb1/keepalived.conf' auto \
    && roles/keepalived/files/keepalived-validate.sh '$ns/lb2/keepalived.conf' auto \
    && promtool check config '$ns/mon1/prometheus.yml' >/dev/null 2>&1 \
    && promtool check rules '$ns/mon1/loomgate-alerts.yml' >/dev/null 2>&1 && amtool check-config '$ns/mon1/alertmanager.yml' >/dev/null 2>&1"
hc="$ns/lb1/haproxy.cfg"
check "haproxy: frontend on the VIP, 3 gateways checked on the admin port" \
  bash -c "grep -q 'bind 10.77.0.100:80' '$hc' && [ \$(grep -cE '^ +server gw[123] 10\.77\.0\.2[123]:8080 cookie gw[123] port 9080$' '$hc') -eq 3 ]"
check "haproxy: HTTP/1.1 health check of /health/ready" \
  grep -qE '^ +http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host localhost$' "$hc"
check "haproxy: fast checks, redispatch, retries (keyed POSTs too), one server connection per request, sticky cookie, passive detection, slow start" bash -c "
  grep -qE 'default-server check inter 500 fall 2 rise 2 observe layer7 error-limit 10 on-error mark-down slowstart 10s$' '$hc' &&
  ! grep -qE '^ +[a-z].*on-marked-down' '$hc' &&
  grep -q 'option redispatch 1' '$hc' && grep -q 'retries 2' '$hc' && grep -q 'retry-on all-retryable-errors' '$hc' &&
  grep -q 'acl idempotency_key req.hdr(Idempotency-Key) -m found' '$hc' &&
  grep -q 'http-request disable-l7-retry if !idempotent !idempotency_key' '$hc' && grep -q 'option http-buffer-request' '$hc' &&
  grep -q 'option http-server-close' '$hc' &&
  grep -q 'cookie GWID insert indirect nocache' '$hc' && grep -q 'timeout connect 500ms' '$hc' && grep -q 'timeout check 1s' '$hc'"
# the frontend alone: the backend closes its server connections on purpose (option http-server-close)
front_section="awk '/^[a-z]/{on=(\$1 == \"frontend\" && \$2 == \"gateway-front\"); next} on' '$hc'"
check "haproxy: client keep-alive (no httpclose in the frontend), only HTTP/1.0 and 1.1, no operator rules by default" bash -c "
  ! $front_section | grep -qE '^ +option (httpclose|http-server-close|forceclose)' &&
  $front_section | grep -qF 'http-request deny deny_status 400 unless { req.ver 1.1 } || { req.ver 1.0 }' &&
  [ \$($front_section | grep -c '^ *http-request') -eq 1 ]"
check "haproxy: runtime API, state file, stats + Prometheus exporter on the LB address, LB header" bash -c "
  grep -q 'stats socket $ns/lb1/haproxy.sock mode 660 level admin expose-fd listeners' '$hc' &&
  grep -q 'server-state-file $ns/lb1/server-state' '$hc' && grep -q 'load-server-state-from-file global' '$hc' &&
  grep -q 'bind 10.77.0.11:8404' '$hc' && grep -q 'use-service prometheus-exporter' '$hc' &&
  grep -q 'http-after-response set-header X-Loomgate-LB lb1' '$hc' &&
  grep -q 'http-after-response set-header X-Loomgate-LB lb2' '$ns/lb2/haproxy.cfg'"
check "haproxy: the request log has no query string and no captured cookies or headers" bash -c "
  grep -E '^ +log-format ' '$hc' | grep -qF '%HM %HPO %HV' && ! grep -qE 'option httplog|^ *capture ' '$hc' &&
  ! grep -E '^ +log-format ' '$hc' | grep -qE '%[{][^}]*[}]r\b|%r\b|%HU|%HQ|%hr|%hs|%CC|%CS'"
k1="$ns/lb1/keepalived.conf" k2="$ns/lb2/keepalived.conf"
check "keepalived: VRRPv3, unicast peers, advert_int 0.2, nopreempt, priorities, VRRP at nice -20, split-brain GARPs, net_namespace, process tracking" bash -c "
  grep -q 'vrrp_version 3' '$k1' && grep -q 'advert_int 0.2' '$k1' && grep -q '^net_namespace lb1$' '$k1' &&
  grep -q 'unicast_src_ip 10.77.0.11' '$k1' && grep -A1 unicast_peer '$k1' | grep -q 10.77.0.12 &&
  grep -A1 unicast_peer '$k2' | grep -q 10.77.0.11 && grep -q 'priority 150' '$k1' && grep -q 'priority 100' '$k2' &&
  grep -q nopreempt '$k1' && grep -q '10.77.0.100/24 dev eth0' '$k2' &&
  grep -q 'vrrp_priority -20' '$k1' && ! grep -q '^ *vrrp_rt_priority' '$k1' && grep -q vrrp_no_swap '$k2' && grep -q 'higher_prio_send_advert true' '$k1' &&
  grep -q 'garp_lower_prio_repeat 3' '$k2' &&
  grep -q 'process haproxy -f $ns/lb2/haproxy.cfg' '$k2'"
check "gateway: node, admin on the node address, sentinels, consul, expected nodes" bash -c "
  g='$ns/gw2/gateway.yaml'; grep -q '  id: gw2' \$g && grep -q '  host: 10.77.0.22' \$g && grep -q '  admin-host: 10.77.0.22' \$g &&
  grep -q '  admin-port: 9080' \$g && grep -q 'expected-nodes: 3' \$g && grep -q 'master-name: loomgate' \$g &&
  grep -q '10.77.0.31:26381' \$g && grep -q 'kv-prefix: loomgate/' \$g && grep -q 'routes-file: $ns/gw2/routes.yaml' \$g &&
  python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d[\"redis\"][\"sentinel\"][\"addresses\"][0] == \"10.77.0.31:26379\"' \$g"
check "gateway: the LBs and the VIP are its trusted proxies (client address survives HAProxy)" \
  grep -q 'trusted-proxies: \["10.77.0.11/32", "10.77.0.12/32", "10.77.0.100/32"\]' "$ns/gw1/gateway.yaml"
check "redis: replica of the master, no persistence, sentinel quorum 2 / 1000 ms / 3000 ms" bash -c "
  grep -q 'replicaof 10.77.0.31 6379' '$ns/redis2/redis.conf' && ! grep -q replicaof '$ns/redis1/redis.conf' &&
  grep -q '^save \"\"' '$ns/redis1/redis.conf' && grep -q 'appendonly no' '$ns/redis1/redis.conf' &&
  grep -q 'protected-mode no' '$ns/redis1/redis.conf' && s='$ns/sentinel2/sentinel.conf' &&
  grep -q 'sentinel monitor loomgate 10.77.0.31 6379 2' \$s && grep -q 'down-after-milliseconds loomgate 1000' \$s &&
  grep -q 'failover-timeout loomgate 3000' \$s && grep -q 'port 26380' \$s"
check "prometheus: scrapes 3 gateway admin ports and 2 HAProxy exporters" bash -c "
  p='$ns/mon1/prometheus.yml'; [ \$(grep -cE '10\.77\.0\.2[123]:9080' \$p) -eq 3 ] && grep -q '10.77.0.11:8404' \$p && grep -q '10.77.0.12:8404' \$p"
check "redis_exporter: one per Redis (own port for the replica sharing the address), scraped as job redis with instance and role labels" bash -c "
  grep -qx 'ARGS=\"-redis.addr=redis://10.77.0.31:6379 -web.listen-address=10.77.0.31:9121 -redis-only-metrics -connection-timeout=1s\"' '$ns/redis1/redis-exporter.env' &&
  grep -q 'redis.addr=redis://10.77.0.31:6380 -web.listen-address=10.77.0.31:9122 ' '$ns/redis2/redis-exporter.env' &&
  ! grep -q REDIS_PASSWORD '$ns/redis1/redis-exporter.env' && [ ! -e '$ns/sentinel1/redis-exporter.env' ] &&
  python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); j = [c for c in d[\"scrape_configs\"] if c[\"job_name\"] == \"redis\"][0]
s = {t[\"targets\"][0]: t[\"labels\"] for t in j[\"static_configs\"]}
assert s == {\"10.77.0.31:9121\": {\"redis\": \"redis1\", \"redis_role\": \"master\"}, \"10.77.0.31:9122\": {\"redis\": \"redis2\", \"redis_role\": \"replica\"}}, s' '$ns/mon1/prometheus.yml' &&
  python3 -c 'import json, sys; h = json.load(open(sys.argv[1]))[\"hosts\"][\"redis2\"][\"redis-exporter\"]
assert h[\"listen\"] == \"10.77.0.31:9122\" and \"-redis.addr=redis://10.77.0.31:6380\" in h[\"args\"], h' '$ns/cluster.json'"
check "rsyslog: rsyslogd -N1 accepts the rendered files again (3 senders, the central host)" bash -c "
  for f in gw1 gw2 gw3 mon1; do rsyslogd -N1 -f '$ns/'\$f/rsyslog.conf >/dev/null 2>&1 || exit 1; done"
check "rsyslog: gateways tail access.log and app.log, ship over RELP to mon1 with a disk-assisted queue, named by node id" bash -c "
  r='$ns/gw2/rsyslog.conf'; grep -q 'file=\"$ns/gw2/access.log\" tag=\"loomgate-access\"' \$r &&
  grep -q 'file=\"$ns/gw2/app.log\" tag=\"loomgate-app\"' \$r && grep -q 'localHostname=\"gw2\"' \$r &&
  grep -q 'type=\"omrelp\" target=\"10.77.0.71\" port=\"2514\"' \$r && grep -q 'queue.saveOnShutdown=\"on\"' \$r &&
  grep -q 'file: $ns/gw2/app.log' '$ns/gw2/gateway.yaml' && grep -q 'format: json' '$ns/gw2/gateway.yaml'"
check "rsyslog: the central host listens with RELP on its address, writes one file per node and all.jsonl" bash -c "
  c='$ns/mon1/rsyslog.conf'; grep -q 'type=\"imrelp\" address=\"10.77.0.71\" port=\"2514\"' \$c &&
  grep -q 'string=\"$ns/mon1/central/%hostname%.log\"' \$c && grep -q 'file=\"$ns/mon1/central/all.jsonl\"' \$c &&
  [ ! -e '$ns/lb1/rsyslog.conf' ] && [ ! -e '$ns/redis1/rsyslog.conf' ]"
check "prometheus: loads the Loomgate alert rules and sends alerts to Alertmanager on the monitoring host" bash -c "
  p='$ns/mon1/prometheus.yml'; grep -qF -- '- $ns/mon1/loomgate-alerts.yml' \$p &&
  grep -A3 '^alerting:' \$p | grep -q 'targets: \[\"10.77.0.71:9093\"\]' &&
  cmp -s '$ns/mon1/loomgate-alerts.yml' ../monitoring/prometheus/loomgate-alerts.yml &&
  grep -q 'receiver: loomgate-default' '$ns/mon1/alertmanager.yml' && ! grep -q webhook_configs '$ns/mon1/alertmanager.yml'"
check "cluster.json: 15 hosts with namespace, address and ports" python3 -c "
import json, sys; d = json.load(open('$ns/cluster.json')); h = d['hosts']
assert len(h) == 15 and h['lb2']['netns'] == 'lb2' and h['lb2']['haproxy']['frontend'] == '10.77.0.100:80'
assert h['gw3']['gateway'] == {'port': 8080, 'admin-port': 9080} and h['redis2']['redis']['role'] == 'replica'"

# --- loopback: one LB on 127.0.0.1, no keepalived; port_offset shifts every port ---------------
collect "$lo"
if [ "$rc" -eq 0 ]; then ok "loopback inventory renders (port_offset=100)"; else fail "loopback inventory renders" "$out"; fi
check "loopback: central logs off by default (no rsyslog.conf, app log on stderr)" bash -c "
  [ ! -e '$lo/gw1/rsyslog.conf' ] && ! grep -q '^logging:' '$lo/gw1/gateway.yaml'"
check "loopback: HAProxy on 127.0.0.1 is the trusted proxy" \
  grep -q 'trusted-proxies: \["127.0.0.1/32"\]' "$lo/gw1/gateway.yaml"
check "loopback: one HAProxy on 127.0.0.1, 3 gateways, no keepalived, shifted ports" bash -c "
  grep -q 'bind 127.0.0.1:18180' '$lo/lb1/haproxy.cfg' && [ \$(grep -c '^ *server gw' '$lo/lb1/haproxy.cfg') -eq 3 ] &&
  grep -q 'server gw3 127.0.0.1:18183 cookie gw3 port 19183' '$lo/lb1/haproxy.cfg' && [ ! -e '$lo/lb1/keepalived.conf' ] &&
  grep -q 'port 16480' '$lo/redis2/redis.conf' && grep -q 'replicaof 127.0.0.1 16479' '$lo/redis2/redis.conf' &&
  haproxy -c -f '$lo/lb1/haproxy.cfg' >/dev/null 2>&1 && promtool check config '$lo/mon1/prometheus.yml' >/dev/null 2>&1"

# --- Redis/Sentinel with TLS and an ACL user, Consul over HTTPS with a token (secure backends) -------
sb="$work/secure"; mkdir -p "$sb/tls"
( cd "$sb/tls" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -subj /CN=render-test-ca -days 1 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout redis.key \
    -out redis.csr -subj /CN=redis && openssl x509 -req -in redis.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
    -out redis.pem ) >/dev/null 2>&1
cat > "$sb/vars.yml" <<VARS
redis_tls_enabled: true
redis_tls_cert_file: $sb/tls/redis.pem
redis_tls_key_file: $sb/tls/redis.key
redis_tls_ca_file: $sb/tls/ca.pem
redis_tls_auth_clients: optional
redis_password: render-test-default-password
redis_gateway_user: loomgate
redis_gateway_password: render-test-gateway-password
consul_token: render-test-consul-token
consul_tls_enabled: true
consul_tls_ca_file: $sb/tls/ca.pem
VARS
render inventories/loopback "$sb" --limit redis1,redis2,sentinel1,gw1 -e "@$sb/vars.yml"
if [ "$rc" -eq 0 ]; then ok "secure backends render (Redis/Sentinel TLS + ACL user, Consul HTTPS + token)"
else fail "secure backends render" "$out"; fi
check "secure backends: tls-port only, TLS replication, ACL user on lg:* keys, gateway.yaml uses them" bash -c "
  r='$sb/redis1/redis.conf'; s='$sb/sentinel1/sentinel.conf'
  grep -qx 'port 0' \$r && grep -qx 'tls-port 16379' \$r && grep -qx 'tls-replication yes' \$r &&
  grep -qx 'user loomgate on >render-test-gateway-password resetkeys ~lg:\\* resetchannels &lg:\\* &__redis__:invalidate -@all +@read +@write +@scripting +@connection +@pubsub +time -@dangerous' \$r &&
  grep -qx 'port 0' \$s && grep -qx 'tls-port 16479' \$s && grep -qx 'tls-replication yes' \$s &&
  grep -q 'redis.addr=rediss://127.0.0.1:16379' '$sb/redis1/redis-exporter.env' &&
  python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); r = d[\"redis\"]; c = d[\"consul\"]
assert r[\"user\"] == \"loomgate\" and r[\"tls\"] == {\"enabled\": True, \"ca-file\": sys.argv[2]}, r
assert c[\"token\"] == \"render-test-consul-token\" and c[\"tls\"][\"ca-file\"] == sys.argv[2], c' '$sb/gw1/gateway.yaml' '$sb/tls/ca.pem'"
# redis-server has no config check mode: it exits at once on a bad file (FATAL CONFIG FILE ERROR, unreadable
# certificate); still running after 2 s (timeout's 124) means it took the file, ACL user line and TLS files.
# Ports 0 and a socket in the work dir: it listens on nothing another test could hit.
check "secure backends: redis-server and redis-sentinel accept the rendered files (on a Unix socket only)" bash -c "
  cp '$sb/sentinel1/sentinel.conf' '$sb/sentinel-check.conf'
  timeout 2 redis-server '$sb/redis1/redis.conf' --port 0 --tls-port 0 --unixsocket '$sb/r.sock' --dir '$sb' \
    >'$sb/redis-check.log' 2>&1; a=\$?
  timeout 2 redis-server '$sb/sentinel-check.conf' --sentinel --port 0 --tls-port 0 --unixsocket '$sb/s.sock' \
    --dir '$sb' >'$sb/sentinel-check.log' 2>&1; b=\$?
  [ \$a -eq 124 ] && [ \$b -eq 124 ]"

# --- Grafana provisioning and an Alertmanager webhook (monitoring role options) ----------------------
collect "$gf"
if [ "$rc" -eq 0 ]; then ok "monitoring with grafana_provisioning_dir and a webhook renders (amtool accepted it)"
else fail "monitoring with grafana_provisioning_dir and a webhook renders" "$out"; fi
check "grafana: the dashboard and a file provider pointing at it; alertmanager: the webhook receiver" bash -c "
  cmp -s '$gf/provisioning/loomgate/loomgate-cluster.json' ../monitoring/grafana/loomgate-cluster.json &&
  python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); p = d[\"providers\"][0]
assert d[\"apiVersion\"] == 1 and p[\"type\"] == \"file\" and p[\"options\"][\"path\"] == sys.argv[2]' \
    '$gf/provisioning/loomgate-dashboards.yaml' '$gf/provisioning/loomgate' &&
  grep -A1 webhook_configs '$gf/mon1/alertmanager.yml' | grep -q 'url: \"http://127.0.0.1:5001/hook\"' &&
  amtool check-config '$gf/mon1/alertmanager.yml' >/dev/null 2>&1"

# --- operator-written frontend rules (haproxy_http_request_rules) ----------------------------------
collect "$rr"
if [ "$rc" -eq 0 ]; then ok "haproxy_http_request_rules render (haproxy -c accepted the file)"
else fail "haproxy_http_request_rules render" "$out"; fi
check "haproxy: operator rules in the frontend, in order, before default_backend; haproxy -c accepts them" bash -c "
  f='$rr/lb1/haproxy.cfg'; haproxy -c -f \$f >/dev/null 2>&1 &&
  sed -n '/^frontend gateway-front/,/default_backend/p' \$f > '$work/front.txt' &&
  grep -n '' '$work/front.txt' | grep -F 'http-request deny deny_status 403 if { path_sub SMUGGLED }' | cut -d: -f1 > '$work/l1' &&
  grep -n '' '$work/front.txt' | grep -F 'http-request set-header X-Rule-Test yes' | cut -d: -f1 > '$work/l2' &&
  [ -s '$work/l1' ] && [ -s '$work/l2' ] && [ \$(cat '$work/l1') -lt \$(cat '$work/l2') ]"

# --- TLS at the LBs: terminate (certificate per VIP name, HSTS, X-Forwarded-Proto) and passthrough (SNI) ---
# Throwaway self-signed certificates: haproxy -c loads every crt file it is given.
for name in api www; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$name.loomgate.test" \
    -keyout "$work/$name.key" -out "$work/$name.crt" >/dev/null 2>&1 && cat "$work/$name.crt" "$work/$name.key" > "$work/$name.pem"
done
tt="$work/tls-terminate"
render inventories/netns "$tt" --limit lb1 -e haproxy_tls_mode=terminate -e haproxy_hsts_max_age=31536000 \
  -e "{\"haproxy_tls_certs\": [\"$work/api.pem\", \"$work/www.pem\"]}"
if [ "$rc" -eq 0 ]; then ok "haproxy TLS terminate renders (haproxy -c loaded both certificates)"
else fail "haproxy TLS terminate renders" "$out"; fi
tc="$tt/lb1/haproxy.cfg"
check "haproxy terminate: HTTPS bind on the VIP with one crt per name and ALPN, TLS >= 1.2, AEAD ciphers, no tickets" bash -c "
  grep -qF 'bind 10.77.0.100:443 ssl crt $work/api.pem crt $work/www.pem alpn http/1.1' '$tc' &&
  grep -qF 'ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets' '$tc' &&
  grep -E '^ +ssl-default-bind-ciphers ' '$tc' | grep -qv -E 'CBC|RC4|3DES|SHA:|:SHA\$' &&
  grep -qF 'bind 10.77.0.100:80' '$tc'"
check "haproxy terminate: redirect plain HTTP, X-Forwarded-Proto set (client value replaced), HSTS on HTTPS only" bash -c "
  grep -qF 'http-request redirect scheme https code 301 unless { ssl_fc }' '$tc' &&
  grep -qF 'http-request set-header X-Forwarded-Proto https if { ssl_fc }' '$tc' &&
  grep -qF 'http-request set-header X-Forwarded-Proto http unless { ssl_fc }' '$tc' &&
  grep -qF 'http-after-response set-header Strict-Transport-Security \"max-age=31536000\" if { ssl_fc }' '$tc'"
tp="$work/tls-passthrough"
render inventories/netns "$tp" --limit lb1 -e haproxy_tls_mode=passthrough \
  -e '{"haproxy_tls_sni_routes": [{"sni": "api.loomgate.test", "group": "gateways"}]}'
if [ "$rc" -eq 0 ]; then ok "haproxy TLS passthrough renders (haproxy -c accepted it)"; else fail "haproxy TLS passthrough renders" "$out"; fi
pc="$tp/lb1/haproxy.cfg"
check "haproxy passthrough: mode tcp on :443, ClientHello required, SNI route, gateways' TLS port checked on admin, no TLS settings of its own" bash -c "
  sed -n '/^frontend gateway-front-tls/,/^\$/p' '$pc' > '$work/ptf.txt' &&
  grep -qF 'mode tcp' '$work/ptf.txt' && grep -qF 'bind 10.77.0.100:443' '$work/ptf.txt' &&
  grep -qF 'tcp-request content accept if { req.ssl_hello_type 1 }' '$work/ptf.txt' &&
  grep -qF 'use_backend tls-gateways if { req.ssl_sni -i api.loomgate.test }' '$work/ptf.txt' &&
  [ \$(grep -cE '^ +server gw[123] 10\.77\.0\.2[123]:8443 port 9080$' '$pc') -eq 3 ] &&
  ! grep -qE ' ssl( |\$)|ssl-default-bind' '$pc' && grep -qF 'bind 10.77.0.100:80' '$pc'"
collect "$work/tls-bad1"
expect_rejected() { # name, pattern: checked against the output of the last render
  local said
  said=$(grep -oE -- "$2[^\"\\]*" <<<"$out" | head -n1)
  if [ "$rc" -ne 0 ] && [ -n "$said" ]; then ok "rejected: $1"; echo "    tool said: $said"
  else fail "rejected: $1 (exit $rc, expected the message /$2/)" "$out"; fi
}
expect_rejected "TLS terminate without certificates (assert)" "terminate needs haproxy_tls_certs"
collect "$work/tls-bad2"
expect_rejected "TLS terminate with a missing certificate file (haproxy -c)" "unable to (stat|load) SSL certificate"
collect "$work/tls-bad3"
expect_rejected "haproxy_tls_mode offload (assert)" "haproxy_tls_mode must be '', terminate or passthrough"

# --- broken inventory values are rejected by the tools, with their messages ------------------------
# A host stops at its first error, so each broken value sits on its own host:
#   run 1: lb2 haproxy inter 5xs, lb1 VIP 10.77.0.300, mon1 scrape timeout > interval, redis2 a 2nd master
#   run 2: lb1 interface nosuch9, checked as written (no interface substitution)
collect "$work/out-one"
expect_rejected "haproxy inter 5xs (haproxy -c)" "unexpected character 'x' in '[a-z-]*inter' argument"
expect_rejected "keepalived VIP 10.77.0.300 (keepalived -t)" "invalid IP 10.77.0.300"
expect_rejected "prometheus scrape timeout > interval (promtool)" "scrape timeout greater than scrape interval"
expect_rejected "two Redis masters (assert)" "exactly one host with redis_role: master"
if [ ! -e "$work/out-one/lb2/haproxy.cfg" ]; then ok "a rejected haproxy.cfg is not written"; else fail "a rejected haproxy.cfg is not written"; fi
collect "$work/out-two"
expect_rejected "keepalived interface nosuch9 (keepalived -t)" "interface nosuch9 for vrrp_instance [a-z_]* doesn't exist"
collect "$work/out-three"
expect_rejected "a broken operator rule in haproxy_http_request_rules (haproxy -c)" "unknown fetch method 'nosuchfetch'"

collect "$work/out-four"
expect_rejected "an rsyslog queue size 'lots' (rsyslogd -N1)" "parameter 'queue.maxdiskspace' does not contain a valid size"
expect_rejected "rsyslog_protocol udp (assert)" "rsyslog needs a host in group 'logs'"
if [ ! -e "$work/out-four/gw1/rsyslog.conf" ]; then ok "a rejected rsyslog.conf is not written"; else fail "a rejected rsyslog.conf is not written"; fi
collect "$work/out-five"
expect_rejected "alertmanager group_wait 10x (amtool check-config)" 'not a valid duration string: [^ ]*10x'
if [ ! -e "$work/out-five/mon1/alertmanager.yml" ]; then ok "a rejected alertmanager.yml is not written"
else fail "a rejected alertmanager.yml is not written"; fi

# --- Redis Cluster mode: 6 Redis hosts, rendered files started for real, the rendered script forms the cluster ---
rc_inv="$work/cluster-inventory"; rcd="$work/redis-cluster"
mkdir -p "$rc_inv" && cp -r inventories/loopback/group_vars "$rc_inv/"
python3 - inventories/loopback/hosts.yml "$rc_inv/hosts.yml" <<'PY'
import sys, yaml
inv = yaml.safe_load(open(sys.argv[1]))
groups = inv["all"]["children"]
groups["redis"] = {"hosts": {f"redis{i}": {"redis_port": "{{ %d + port_offset | int }}" % (16390 + i),
                                           "redis_exporter_port": "{{ %d + port_offset | int }}" % (19130 + i)}
                             for i in range(1, 7)}}
groups["sentinels"] = {"hosts": {}}
yaml.safe_dump(inv, open(sys.argv[2], "w"))
PY
# Ports 16391+off..16396+off and their cluster bus ports (+10000) stay below the ephemeral range (32768), and
# none may be listening already (another test's server): up to 10 draws.
rc_taken() { ss -Hltn | awk '{print $4}' | grep -qE ":($(seq -s '|' $((16391 + $1)) $((16396 + $1)))|$(seq -s '|' $((26391 + $1)) $((26396 + $1))))\$"; }
for _ in $(seq 1 10); do rc_off=$((RANDOM % 6000)); rc_taken "$rc_off" || break; done
render "$rc_inv" "$rcd" --limit redis1,redis2,redis3,redis4,redis5,redis6,gw1 -e port_offset=$rc_off -e redis_mode=cluster
if [ "$rc" -eq 0 ]; then ok "redis_mode cluster renders (6 Redis hosts, no sentinels)"; else fail "redis_mode cluster renders" "$out"; fi
check "redis_mode cluster: cluster-enabled on every host, no replicaof; gateway.yaml has mode cluster and 6 seeds" bash -c "
  for i in 1 2 3 4 5 6; do grep -qx 'cluster-enabled yes' '$rcd'/redis\$i/redis.conf && ! grep -q '^replicaof' '$rcd'/redis\$i/redis.conf || exit 1; done
  [ -x '$rcd/redis1/redis-cluster-create.sh' ] && [ ! -e '$rcd/redis2/redis-cluster-create.sh' ] &&
  python3 -c 'import sys, yaml; r = yaml.safe_load(open(sys.argv[1]))[\"redis\"]
assert r[\"mode\"] == \"cluster\" and \"sentinel\" not in r and len(r[\"cluster\"][\"addresses\"]) == 6, r' '$rcd/gw1/gateway.yaml'"
rc_pids=()
for i in 1 2 3 4 5 6; do
  redis-server "$rcd/redis$i/redis.conf" >"$rcd/redis$i/server.log" 2>&1 & rc_pids+=($!)
done
rc_up() { for i in 1 2 3 4 5 6; do redis-cli -p $((16390 + i + rc_off)) ping >/dev/null 2>&1 || return 1; done; }
for _ in $(seq 1 50); do rc_up && break; sleep 0.1; done
rc_first=$("$rcd/redis1/redis-cluster-create.sh" 2>&1); rc_first_rc=$?
rc_second=$("$rcd/redis1/redis-cluster-create.sh" 2>&1); rc_second_rc=$?
check "redis_mode cluster: the rendered servers start and the rendered script forms a 3-master cluster, once" bash -c "
  [ $rc_first_rc -eq 0 ] && printf '%s' \"\$1\" | tail -1 | grep -q 'created: 6 nodes, 1 replica' &&
  [ $rc_second_rc -eq 0 ] && printf '%s' \"\$2\" | grep -q '^formed already' &&
  redis-cli -p $((16391 + rc_off)) cluster info | tr -d '\r' | grep -qx 'cluster_state:ok' &&
  nodes=\$(redis-cli -p $((16391 + rc_off)) cluster nodes) &&
  [ \"\$(printf '%s\n' \"\$nodes\" | awk '\$3 ~ /master/' | wc -l)\" -eq 3 ] && [ \"\$(printf '%s\n' \"\$nodes\" | awk '\$3 ~ /slave/' | wc -l)\" -eq 3 ] ||
  { printf '%s\n' \"\$nodes\" | sed 's/^/    /'; exit 1; }" _ "$rc_first" "$rc_second" \
  || printf '%s\n%s\n' "$rc_first" "$rc_second" | tail -n 15 | sed 's/^/    /'
for pid in "${rc_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done

# --- lint and syntax -------------------------------------------------------------------------------
out=$(ansible-lint --offline --nocolor 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then ok "ansible-lint --offline"; else fail "ansible-lint --offline" "$out"; fi
for inv in netns loopback; do
  out=$(ansible-playbook site.yml render.yml -i "inventories/$inv" --syntax-check 2>&1); rc=$?
  if [ "$rc" -eq 0 ]; then ok "syntax-check site.yml render.yml ($inv)"; else fail "syntax-check site.yml render.yml ($inv)" "$out"; fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
