# shellcheck shell=bash
# Sourced by vm-cluster.sh: the rolling upgrade (and rollback) of the gateways under steady load through the
# VIP from the chaos harness's load generator, with its HTML report and the playbook's steps on the timeline.

# gateway_version ADDRESS: the loomgate-gateway version installed on that machine.
gateway_version() {
  in_ctl ssh -n -q -i "$key" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    "$user@$1" "dpkg-query --show --showformat='\${Version}' loomgate-gateway"
}

# gateways: "name address" of every gateway, from the Terraform output the inventory reads.
gateways() {
  python3 -c 'import json,sys
h = json.load(open(sys.argv[1]))["hosts"]["value"]
for n in sorted(n for n in h if h[n]["role"] == "gateways"): print(n, h[n]["address"])' "$LOOMGATE_TF_OUTPUT"
}

# under_load LABEL TITLE PLAYBOOK_ARGS...: site.yml while `chaos load` sends GET, POST with Idempotency-Key and
# plain POST (2:1:1) through the VIP, 5 s of load before and after; the playbook's node steps become timeline
# events of the HTML report in $run/report-LABEL/. Sets play_rc (the playbook) and load_rc (0: no request of
# any method failed and none was dropped).
under_load() {
  local label=$1 title=$2 out="$run/report-$1" stop="$run/stop-$1" events="$run/events-$1.tsv" pid t0 i
  shift 2
  rm -rf "$out" "$stop"; mkdir -p "$out"
  log "$title under load (${VM_LOAD_RATE:-40} req/s through the VIP)"
  ip netns exec "${VM_PREFIX}ctl" "$JAVA_HOME/bin/java" -XX:+UseSerialGC -jar "$root/chaos-harness/target/loomgate-chaos-harness.jar" load \
    --target "$VM_SUBNET_BASE.10:80" --rate "${VM_LOAD_RATE:-40}" --duration 1200s --path /demo/load \
    --mix 2,1,1 --stop-file "$stop" --events "$events" --out "$out" \
    --title "$title" --report-title "Loomgate vm-cluster: $title" > "$out/load.out" 2>&1 &
  pid=$!; remember pid "$pid" "load-$label"
  for i in 1 2 3 4 5; do sleep 1; kill -0 "$pid" 2>/dev/null || break; done
  kill -0 "$pid" 2>/dev/null || { cat "$out/load.out" >&2; die "the load generator stopped before the $label"; }
  t0=$(date +%s)
  play_rc=0
  playbook "$label" --limit gateways,lbs "$@" || play_rc=$?
  log "$label playbook: $(( $(date +%s) - t0 )) s, exit $play_rc"
  for i in 1 2 3 4 5; do sleep 1; done
  python3 "$here/events.py" "$run/ansible/$label.log" "$label" > "$events"
  touch "$stop"
  load_rc=0
  wait "$pid" || load_rc=$?
  sed -n '/^scenario/,$p' "$out/load.out" >&2
  grep -q '^report: ' "$out/load.out" || die "$label: the load generator wrote no report ($out/load.out)"
}

# expect_versions WANT...: the gateways' installed versions, in gateways order.
expect_versions() {
  local label=$1 gw addr v
  shift
  while read -r gw addr; do
    v=$(gateway_version "$addr")
    [ "$v" = "$1" ] || die "$label: $gw runs loomgate-gateway $v, want $1"
    log "$label: $gw runs $v"
    if [ $# -gt 1 ]; then shift; fi
  done < <(gateways)
}

# rolling VERSION LABEL: the upgrade (or rollback) path of site.yml (serial: 1, drain in both HAProxies, apt
# installs exactly VERSION, /health/ready, back in rotation); passes when the playbook succeeded, no request
# of any method failed and every gateway runs VERSION.
rolling() {
  local version=$1 label=$2
  under_load "$label" "rolling $label to $version" -e gateway_package_version="$version"
  [ "$play_rc" -eq 0 ] || { recap "$label" >&2; die "$label: site.yml failed (log: $run/ansible/$label.out)"; }
  [ "$load_rc" -eq 0 ] || die "$label: requests failed under load (report: $run/report-$label/index.html)"
  expect_versions "$label" "$version"
  log "$label to $version: 0 failed requests, every gateway on $version; report: $run/report-$label/index.html"
}

# stopped_rollout NEW OLD: the second gateway's package cannot be installed (a version the repository does
# not have): the rollout must stop there (max_fail_percentage: 0) with the playbook failing, the first gateway
# on NEW, the second and later ones still on OLD, and no request failing through the VIP meanwhile.
stopped_rollout() {
  local new=$1 old=$2 first second
  first=$(gateways | sed -n 1p | cut -d' ' -f1); second=$(gateways | sed -n 2p | cut -d' ' -f1)
  cat > "$run/ansible/stopped-rollout.yml" <<EOF2
# Per-host versions (an -e would apply to every host): $second's does not exist in the repository.
gateways:
  hosts:
    $first: {gateway_package_version: "$new"}
    $second: {gateway_package_version: "0.0.0~not-in-the-repository"}
EOF2
  under_load stopped-rollout "rollout stopped at a failing node" -i "$run/ansible/stopped-rollout.yml"
  [ "$play_rc" -ne 0 ] || die "stopped-rollout: site.yml succeeded although $second's package does not exist"
  grep -q "fatal: \[$second\]" "$run/ansible/stopped-rollout.out" || die "stopped-rollout: no failure on $second"
  grep -E "^fatal: \[$second\]" "$run/ansible/stopped-rollout.out" | cut -c1-300 >&2
  [ "$load_rc" -eq 0 ] || die "stopped-rollout: requests failed while the rollout stopped (report: $run/report-stopped-rollout/index.html)"
  expect_versions stopped-rollout "$new" "$old"
  log "stopped-rollout: stopped at $second, $first on $new, the rest on $old, 0 failed requests through the VIP"
}
