#!/usr/bin/env bash
# Tests ansible/inventories/terraform/inventory.py with a realistic `terraform output -json` fixture
# (fixtures/terraform-output.json, the shape terraform/outputs.tf produces):
#   - ansible-inventory --list gives the groups of inventories/netns (minus its test fixtures upstreams and
#     clients) and, per group, the host vars every netns host of that group has (ports aside: VMs use the
#     default ports), plus the cluster vars of inventories/netns/group_vars/all.yml;
#   - ansible-playbook --syntax-check site.yml accepts it;
#   - bad inputs (two Redis masters, a VIP outside the subnet, a gateway without an address, a duplicate
#     address, no output file, not JSON) make ansible-inventory fail with the script's message.
# Last line: "N passed, M failed".
set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "$0")/.."
for tool in ansible-inventory ansible-playbook python3; do
  command -v "$tool" >/dev/null || { echo "terraform-inventory.test: $tool is missing (make deps)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/tf-inventory-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; [ -z "${2:-}" ] || echo "$2" | sed 's/^/     /'; failed=$((failed + 1)); }
fixture=tests/fixtures/terraform-output.json
inv=inventories/terraform/inventory.py

if LOOMGATE_TF_OUTPUT=$fixture ansible-inventory -i $inv --list > "$work/tf.json" 2> "$work/err"; then
  ok "ansible-inventory --list parses the fixture"
else
  fail "ansible-inventory --list parses the fixture" "$(cat "$work/err")"
fi
ansible-inventory -i inventories/netns/hosts.yml --list > "$work/netns.json" 2>/dev/null
if out=$(python3 - "$work/tf.json" "$work/netns.json" inventories/netns/group_vars/all.yml <<'PY'
import json, sys, yaml
tf, ns = (json.load(open(p)) for p in sys.argv[1:3])
ns_all = yaml.safe_load(open(sys.argv[3]))
FIXTURES = {"upstreams", "clients"}       # test fixtures of the netns cluster, not VMs
problems = []
def hosts(inv, g):
    return inv.get(g, {}).get("hosts", [])
ns_groups = {g for g in ns if g not in ("_meta", "all", "ungrouped")} - FIXTURES
tf_groups = {g for g in tf if g not in ("_meta", "all", "ungrouped")}
if ns_groups != tf_groups:
    problems.append(f"groups differ: netns {sorted(ns_groups)}, terraform {sorted(tf_groups)}")
tv, nv = tf["_meta"]["hostvars"], ns["_meta"]["hostvars"]
for g in sorted(ns_groups & tf_groups):
    if not hosts(tf, g):
        problems.append(f"group {g} is empty")
        continue
    # Keys every netns host of the group has, minus the namespace ones (netns, netns_*) and the ports.
    keys = set.intersection(*(set(nv[h]) for h in hosts(ns, g))) - {"ansible_connection"}
    keys = {k for k in keys if not k.startswith("netns")}
    keys = {k for k in keys if not k.endswith("_port")}
    for h in hosts(tf, g):
        missing = keys - set(tv.get(h, {}))
        if missing:
            problems.append(f"{g} host {h} lacks {sorted(missing)} (every netns {g} host has them)")
        if tv[h].get("ansible_host") != tv[h].get("node_address"):
            problems.append(f"{h}: ansible_host and node_address differ")
all_vars = tf["_meta"]["hostvars"][hosts(tf, "gateways")[0]]
for k in (set(ns_all) - {"netns_subnet", "netns_bridge_namespace"}):
    if k not in all_vars:
        problems.append(f"cluster var {k} (inventories/netns/group_vars/all.yml) is missing")
if all_vars.get("vip") != "10.77.0.10" or all_vars.get("haproxy_frontend_address") != "10.77.0.10":
    problems.append(f"vip/haproxy_frontend_address: {all_vars.get('vip')}/{all_vars.get('haproxy_frontend_address')}")
masters = [h for h in hosts(tf, "redis") if tv[h].get("redis_role") == "master"]
if masters != ["lg-redis-1"]:
    problems.append(f"Redis master: {masters}")
if sorted(hosts(tf, "sentinels")) != sorted(hosts(tf, "redis")):
    problems.append("a Sentinel must run on every Redis host")
if hosts(tf, "logs") != hosts(tf, "monitoring"):
    problems.append("the central log host must be the monitoring host")
prios = sorted(tv[h].get("keepalived_priority") for h in hosts(tf, "lbs"))
if prios != [100, 150]:
    problems.append(f"keepalived priorities {prios}")
if all_vars.get("ansible_user") != "loomgate-admin":
    problems.append(f"ansible_user {all_vars.get('ansible_user')}")
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
); then
  ok "groups and host vars match inventories/netns (minus its fixtures upstreams, clients)"
else
  fail "groups and host vars match inventories/netns" "$out"
fi

if out=$(LOOMGATE_TF_OUTPUT=$fixture ansible-playbook --syntax-check site.yml -i $inv 2>&1); then
  ok "ansible-playbook --syntax-check site.yml with the Terraform inventory"
else
  fail "ansible-playbook --syntax-check site.yml with the Terraform inventory" "$out"
fi

# bad NAME EXPECTED PYTHON_EDIT: the fixture after PYTHON_EDIT (on dict o) must make ansible-inventory fail.
bad() {
  local name=$1 expect=$2 edit=$3 file="$work/$1.json" out
  python3 - "$fixture" "$file" "$edit" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
h = o["hosts"]["value"]
exec(sys.argv[3])
json.dump(o, open(sys.argv[2], "w"))
PY
  if out=$(LOOMGATE_TF_OUTPUT=$file ansible-inventory -i $inv --list 2>&1 >/dev/null); then
    fail "$name: accepted"
  # Ansible wraps its warnings at 80 columns, also inside words at a '-' (a long checkout path moves the
  # breaks): compare without any whitespace.
  elif grep -qF "$(tr -d ' \n' <<<"$expect")" <<<"$(tr -d ' \n' <<<"$out")"; then
    ok "$name: rejected ($expect)"
  else
    fail "$name: rejected, but without '$expect'" "$out"
  fi
}
bad two-masters "exactly one Redis master expected, found 2: lg-redis-1, lg-redis-2" 'h["lg-redis-2"]["redis_role"] = "master"'
bad vip-outside "cluster.vip 10.78.0.10 is outside the subnet 10.77.0.0/24" 'o["cluster"]["value"]["vip"] = "10.78.0.10"'
bad gateway-no-address "host lg-gateways-2 (gateways) has no address" 'h["lg-gateways-2"]["address"] = ""'
bad duplicate-address "host lg-gateways-2 address 10.77.0.21 is already host lg-gateways-1's" 'h["lg-gateways-2"]["address"] = "10.77.0.21"'
bad no-hosts-output "output 'hosts' is missing" 'del o["hosts"]'
if out=$(LOOMGATE_TF_OUTPUT=$work/nonexistent.json ansible-inventory -i $inv --list 2>&1 >/dev/null); then fail "missing output file: accepted"
elif grep -q "nonexistent.json: No such file" <<<"$out"; then ok "missing output file: rejected"; else fail "missing output file: rejected without the file's name" "$out"; fi
echo '{"cluster": ' > "$work/truncated.json"
if out=$(LOOMGATE_TF_OUTPUT=$work/truncated.json ansible-inventory -i $inv --list 2>&1 >/dev/null); then fail "truncated JSON: accepted"
elif grep -q "notJSON" <<<"$(tr -d ' \n' <<<"$out")"; then ok "truncated JSON: rejected"; else fail "truncated JSON: rejected without 'not JSON'" "$out"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
