#!/usr/bin/env bash
# Bad input stops site.yml in its pre-flight play (ansible/preflight.yml), before any host is touched, with
# a message naming the value: two Redis masters, a VIP outside the subnet, a gateway without an address, an
# address that is not one, a missing SSH key, a gateway .deb of the wrong architecture, a short admin token,
# Redis on a routable address without a password.
# Runs `ansible-playbook site.yml --check --tags preflight` against an inventory of hosts that do not exist
# (nothing is contacted): first a good inventory that must pass, then one broken copy per case.
# Last line: "N passed, M failed". Needs ansible-playbook and dpkg-deb; a few seconds per case.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
work=$(mktemp -d "${TMPDIR:-/tmp}/loomgate-preflight-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# Two tiny packages named like the real one, one per architecture: dpkg-deb --field reads the control file.
fake_deb() { # ARCH -> path
  local d="$work/pkg-$1"
  mkdir -p "$d/DEBIAN"
  printf 'Package: loomgate-gateway\nVersion: 0.0.1\nArchitecture: %s\nMaintainer: test <t@example.org>\nDescription: preflight test\n' "$1" > "$d/DEBIAN/control"
  dpkg-deb --build -Zgzip "$d" "$work/loomgate-gateway_0.0.1_$1.deb" >/dev/null
  echo "$work/loomgate-gateway_0.0.1_$1.deb"
}
amd64=$(fake_deb amd64)
arm64=$(fake_deb arm64)
: > "$work/id_test"

inventory() { # NAME [python edits of the dict d] -> $work/NAME.yml
  python3 - "$work/$1.yml" "${2:-}" "$work/id_test" "$amd64" <<'PY'
import sys, yaml
out, edit, key, deb = sys.argv[1:5]
d = {"all": {"vars": {"cluster_subnet": "10.90.0.0/24", "vip": "10.90.0.10", "vip_prefix": 24,
                      "ansible_ssh_private_key_file": key, "gateway_deb_src": deb,
                      "gateway_admin_token": "0123456789abcdef0123"},
             "children": {
                 "lbs": {"hosts": {"lb1": {"node_address": "10.90.0.11"}, "lb2": {"node_address": "10.90.0.12"}}},
                 "gateways": {"hosts": {"gw1": {"node_address": "10.90.0.21"}, "gw2": {"node_address": "10.90.0.22"}}},
                 "redis": {"hosts": {"redis1": {"node_address": "10.90.0.61", "redis_role": "master"},
                                     "redis2": {"node_address": "10.90.0.62", "redis_role": "replica"}}},
                 "sentinels": {"hosts": {"redis1": {}, "redis2": {}}},
                 "consul": {"hosts": {"consul1": {"node_address": "10.90.0.101"}}},
                 "monitoring": {"hosts": {"mon1": {"node_address": "10.90.0.111"}}}}}}
v, c = d["all"]["vars"], d["all"]["children"]
exec(edit)
yaml.safe_dump(d, open(out, "w"))
PY
}

# Secrets come with -e (or a vault file): group_vars/all/loomgate.yml sets redis_password: "", which an
# inventory's all-vars cannot override.
secrets=(-e redis_password=s3cret-for-tests)
preflight() { # INVENTORY -> $out, $rc
  out=$(ansible-playbook site.yml --check --tags preflight -i "$1" "${secrets[@]}" 2>&1); rc=$?
}

verdict() { # NAME EXPECTED, after preflight -> one PASS or FAIL line (and the output's tail on a FAIL)
  if [ "$rc" -eq 0 ]; then
    echo "FAIL $1: site.yml's pre-flight accepted it"
  elif grep -qF -- "$2" <<<"$out"; then
    if grep -qE '^(ok|changed|fatal): \[(lb|gw|redis|consul|mon)[0-9]+\]' <<<"$out"; then
      echo "FAIL $1: rejected, but a host was contacted first"
    else
      echo "PASS $1: rejected before any host ($2)"
    fi
  else
    echo "FAIL $1: rejected without '$2':"; tail -n 15 <<<"$out" | sed 's/^/    /'
  fi
}

# Each ansible-playbook run is about a second of CPU: the cases run side by side (both cores), their verdicts
# are printed and counted afterwards, in order (judge).
cases=0
case_() { # NAME EXPECTED EDIT
  inventory "$1" "$3"
  (preflight "$work/$1.yml"; verdict "$1" "$2" > "$work/verdict-$cases") &
  cases=$((cases + 1))
}
judge() {
  wait
  local i
  for ((i = 0; i < cases; i++)); do
    cat "$work/verdict-$i"
    if head -n 1 "$work/verdict-$i" | grep -q '^PASS'; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
}

inventory good ""
preflight "$work/good.yml"
if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); echo "PASS the good inventory passes the pre-flight"
else failed=$((failed + 1)); echo "FAIL the good inventory does not pass:"; tail -n 20 <<<"$out" | sed 's/^/    /'; fi

case_ two-redis-masters "needs exactly one host with redis_role: master, found 2 (redis1, redis2)" \
  "c['redis']['hosts']['redis2']['redis_role'] = 'master'"
case_ no-redis-master "found 0 (none)" \
  "c['redis']['hosts']['redis1']['redis_role'] = 'replica'"
case_ vip-outside-subnet "vip 10.91.0.10 is outside the subnet 10.90.0.0/24" \
  "v['vip'] = '10.91.0.10'"
case_ vip-is-broadcast "vip 10.90.0.255 is outside the subnet 10.90.0.0/24" \
  "v['vip'] = '10.90.0.255'"
case_ gateway-without-address "host(s) without node_address: gw2" \
  "del c['gateways']['hosts']['gw2']['node_address']"
case_ gateway-empty-address "host(s) without node_address: gw1" \
  "c['gateways']['hosts']['gw1']['node_address'] = ''"
case_ address-not-ipv4 "node_address is not an IPv4 address on: 10.90.0.300 on lb2" \
  "c['lbs']['hosts']['lb2']['node_address'] = '10.90.0.300'"
case_ missing-ssh-key "SSH key $work/no-such-key (ansible_ssh_private_key_file) does not exist on the control node" \
  "v['ansible_ssh_private_key_file'] = '$work/no-such-key'"
case_ deb-wrong-architecture "loomgate-gateway_0.0.1_arm64.deb is built for arm64, the machines are amd64" \
  "v['gateway_deb_src'] = '$arm64'"
case_ short-admin-token "gateway_admin_token is shorter than 16 characters" \
  "v['gateway_admin_token'] = 'short'"
case_ no-admin-token "gateway_admin_token is empty" \
  "del v['gateway_admin_token']"

secrets=()
case_ redis-without-password "redis_password is empty but Redis listens on 10.90.0.61" ""
judge

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
