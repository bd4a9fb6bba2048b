# shellcheck shell=bash
# Sourced by vm-cluster.sh: the rolling upgrade (and rollback) of the gateways under steady load through the
# VIP from the chaos harness's load generator, with its HTML report and the playbook's steps on the timeline.

# rolling VERSION LABEL: site.yml's gateway play (serial: 1, drain in both HAProxies, apt installs exactly
# VERSION, /health/ready, back in rotation) while `chaos load` sends GET, POST with Idempotency-Key and plain
# POST through the VIP; passes when no request of any method failed and every gateway runs VERSION.
rolling() {
  local version=$1 label=$2 out="$run/report-$2" stop="$run/stop-$2" events="$run/events-$2.tsv" pid rc t0 i
  rm -rf "$out" "$stop"; mkdir -p "$out"
  log "$label to $version under load (${VM_LOAD_RATE:-40} req/s through the VIP)"
  ip netns exec "${VM_PREFIX}ctl" "$JAVA_HOME/bin/java" -XX:+UseSerialGC -jar "$root/chaos-harness/target/loomgate-chaos-harness.jar" load \
    --target "$VM_SUBNET_BASE.10:80" --rate "${VM_LOAD_RATE:-40}" --duration 1200s --path /demo/load \
    --mix 2,1,1 --stop-file "$stop" --events "$events" --out "$out" \
    --title "rolling $label to $version" --report-title "Loomgate vm-cluster: rolling $label" \
    > "$out/load.out" 2>&1 &
  pid=$!; remember pid "$pid" "load-$label"
  # Steady load before the first node is touched and after the last one is back: the report shows both.
  for i in 1 2 3 4 5; do sleep 1; kill -0 "$pid" 2>/dev/null || break; done
  kill -0 "$pid" 2>/dev/null || { cat "$out/load.out" >&2; die "the load generator stopped before the $label"; }
  t0=$(date +%s)
  rc=0
  playbook "$label" --limit gateways,lbs -e gateway_package_version="$version" || rc=$?
  log "$label playbook: $(( $(date +%s) - t0 )) s, exit $rc"
  for i in 1 2 3 4 5; do sleep 1; done
  python3 "$here/events.py" "$run/ansible/$label.log" "$label to $version" > "$events"
  touch "$stop"
  local load_rc=0
  wait "$pid" || load_rc=$?
  cat "$out/load.out" >&2
  [ "$rc" -eq 0 ] || { recap "$label" >&2; die "$label: site.yml failed (log: $run/ansible/$label.out)"; }
  grep -q '^report: ' "$out/load.out" || die "$label: the load generator wrote no report ($out/load.out)"
  # chaos load exits 1 when a criterion failed: a failed request of any method, or requests dropped
  [ "$load_rc" -eq 0 ] || die "$label: requests failed under load (report: $out/index.html)"
  local gw addr v
  while read -r gw addr; do
    v=$(in_ctl ssh -q -i "$key" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        "$user@$addr" dpkg-query -W -f '${Version}' loomgate-gateway)
    [ "$v" = "$version" ] || die "$label: $gw runs loomgate-gateway $v, want $version"
    log "$label: $gw runs $v"
  done < <(python3 -c 'import json,sys
h = json.load(open(sys.argv[1]))["hosts"]["value"]
for n in sorted(n for n in h if h[n]["role"] == "gateways"): print(n, h[n]["address"])' "$LOOMGATE_TF_OUTPUT")
  log "$label to $version: 0 failed requests, every gateway on $version; report: $out/index.html"
}
