#!/usr/bin/env bash
# The Prometheus alert rules: promtool check rules, then promtool test rules (every alert fires when it
# should and stays silent before its for: or below its bound), then proves the unit tests can fail: copies
# of the rules with one alert's for: or threshold broken must make promtool test rules fail.
set -uo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "Usage: scripts/tests/alert-rules.test.sh   (no arguments; prints PASS/FAIL lines, exit 1 on any FAIL)"
  exit 0
fi

here=$(cd "$(dirname "$0")/../.." && pwd)
rules="$here/monitoring/prometheus"
work=$(mktemp -d "${TMPDIR:-/tmp}/loomgate-alerts-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

ok()   { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; printf '%s\n' "${2:-}" | tail -n 20 | sed 's/^/    /'; }

if ! command -v promtool >/dev/null; then
  fail "promtool is installed (make deps)"; echo "$passed passed, $failed failed"; exit 1
fi

out=$(promtool check rules "$rules/loomgate-alerts.yml" 2>&1)
if [ $? -eq 0 ]; then ok "promtool check rules loomgate-alerts.yml"; else fail "promtool check rules" "$out"; fi
out=$(cd "$rules" && promtool test rules loomgate-alerts.test.yml 2>&1)
if [ $? -eq 0 ]; then ok "promtool test rules loomgate-alerts.test.yml"; else fail "promtool test rules" "$out"; fi

# broken NAME SED-EXPRESSION EXPECTED-ALERT: the tests must fail on the mutated rules, naming that alert.
# Each promtool run takes about 2.5 s of CPU, so the mutations run side by side (both cores) and are
# judged afterwards, in order.
mutations=()
broken() {
  local dir="$work/m${#mutations[@]}"; mkdir -p "$dir"
  mutations+=("$1")
  printf '%s\n' "$3" > "$dir/expected"
  sed -e "$2" "$rules/loomgate-alerts.yml" > "$dir/loomgate-alerts.yml"
  cp "$rules/loomgate-alerts.test.yml" "$dir/"
  if cmp -s "$rules/loomgate-alerts.yml" "$dir/loomgate-alerts.yml"; then touch "$dir/unchanged"; return; fi
  (cd "$dir" && promtool test rules loomgate-alerts.test.yml > out 2>&1; echo $? > rc) &
}
judge() {
  wait
  local i dir name expected out
  for i in "${!mutations[@]}"; do
    dir="$work/m$i"; name=${mutations[$i]}; expected=$(cat "$dir/expected")
    if [ -e "$dir/unchanged" ]; then fail "mutation '$name' changed nothing"; continue; fi
    out=$(cat "$dir/out")
    if [ "$(cat "$dir/rc")" -ne 0 ] && grep -q "alertname: $expected" <<<"$out"; then ok "tests catch: $name"
    else fail "tests catch: $name (expected a failure naming $expected)" "$out"; fi
  done
}
broken "node-down without its for:" '/alert: LoomgateNodeDown/,/for:/s/for: 30s/for: 0s/' LoomgateNodeDown
broken "fast burn at 1x instead of 14.4x" 's/> (14.4 \* 0.001)/> (1 * 0.001)/g' LoomgateErrorBudgetBurnFast
broken "slow burn confirmed by nothing (short window dropped)" \
  's/ and loomgate:route_error_ratio:rate30m > (6 \* 0.001)//' LoomgateErrorBudgetBurnSlow
broken "p99 target 2 s" 's/\[5m\]))) > 0.5/[5m]))) > 2/' LoomgateRouteP99High
broken "ejected alert on any endpoint instead of all" 's/min by (node, upstream) (loomgate_endpoint_ejected)/max by (node, upstream) (loomgate_endpoint_ejected)/' LoomgateUpstreamAllEndpointsEjected
broken "version divergence counts nodes instead of versions" \
  's/count(count by (version) (loomgate_config_info{job="loomgate-gateway"}))/count(loomgate_config_info{job="loomgate-gateway"})/' LoomgateConfigVersionDivergence
broken "redis-down blind to a dead redis_exporter" 's/redis_up{job="redis"} == 0 or up{job="redis"} == 0/redis_up{job="redis"} == 0/' \
  LoomgateRedisDown
broken "redis-down without its for:" '/alert: LoomgateRedisDown/,/for:/s/for: 30s/for: 0s/' LoomgateRedisDown
broken "sagas-stuck summed over nodes" 's/max(loomgate_sagas_stuck/sum(loomgate_sagas_stuck/' LoomgateSagasStuck
broken "sagas-stuck without its for:" '/alert: LoomgateSagasStuck/,/for:/s/for: 1m/for: 0s/' LoomgateSagasStuck
judge

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
