#!/usr/bin/env bash
# Runs the offline Terraform check (check-terraform.mjs) on terraform/ and proves it can fail: each case
# breaks a copy of the module in one way and expects the check to reject it with its message.
# Installs @cdktf/hcl2json with `npm ci` into terraform/tests/node_modules when missing or stale.
set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
module=$(dirname "$here")
command -v node >/dev/null && command -v npm >/dev/null || { echo "check-terraform.test: node and npm are needed (Debian: apt-get install nodejs npm)" >&2; exit 2; }
if [ ! -d "$here/node_modules/@cdktf/hcl2json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "check-terraform.test: npm ci (installs @cdktf/hcl2json into terraform/tests/node_modules)" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/check-terraform.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Every case is a broken copy; one node process then checks the module and all copies (loading the
# HCL parser's WebAssembly once, not once per case).
cases=()  # "name|expected message"
dirs=()
broken() { # NAME EXPECTED EDIT: copy the module, run EDIT inside the copy
  rm -rf "$work/$1"; mkdir -p "$work/$1"
  cp "$module"/*.tf "$module"/*.tftpl "$module"/README.md "$work/$1/"
  (cd "$work/$1" && eval "$3")
  cases+=("$1|$2"); dirs+=("$work/$1")
}
broken undeclared-var "var.vip_address is not a declared variable" \
  "sed -i 's/cidrhost(var.subnet_cidr, var.vip_host_number)/cidrhost(var.subnet_cidr, var.vip_address)/' locals.tf"
broken undeclared-resource "openstack_networking_subnet_v2.private is not a declared resource" \
  "sed -i 's/network_id      = openstack_networking_network_v2.cluster.id/network_id = openstack_networking_subnet_v2.private.network_id/' network.tf"
broken undeclared-local "local.vip_addr is not a declared local" \
  "sed -i 's/for_each = each.value.role == \"lbs\" ? \\[local.vip_address\\]/for_each = each.value.role == \"lbs\" ? [local.vip_addr]/' compute.tf"
broken no-description 'variable "admin_user" has no description' \
  "python3 -c \"import re,sys; s=open('variables.tf').read(); s=s.replace('  description = \\\"Login that cloud-init', '  # description = \\\"Login that cloud-init'); open('variables.tf','w').write(s)\""
broken no-type 'variable "vm_interface" has no type' \
  "python3 -c \"s=open('variables.tf').read(); i=s.index('variable \\\"vm_interface\\\"'); s=s[:i]+s[i:].replace('  type        = string\n','',1); open('variables.tf','w').write(s)\""
broken unpinned 'provider "openstack" version ">= 2.0" is not pinned' \
  "sed -i 's/version = \"= 3.0.0\"/version = \">= 2.0\"/' versions.tf"
broken rule-not-in-readme 'rule "redis tcp 9121 from monitoring" in local.port_matrix is not in README.md' \
  "sed -i '/^| redis | tcp | 9121 | monitoring |/d' README.md"
broken ssh-from-anywhere 'SSH only from the admin CIDR' \
  "sed -i 's/{ to = \"lbs\", protocol = \"tcp\", ports = \"22\", from = \"admin\"/{ to = \"lbs\", protocol = \"tcp\", ports = \"22\", from = \"any\"/' locals.tf; sed -i 's/^| lbs | tcp | 22 | admin |/| lbs | tcp | 22 | any |/' README.md"
broken extra-rule 'exactly one openstack_networking_secgroup_rule_v2 resource' \
  "printf 'resource \"openstack_networking_secgroup_rule_v2\" \"extra\" {\n  direction = \"ingress\"\n  ethertype = \"IPv4\"\n  security_group_id = openstack_networking_secgroup_v2.role[\"gateways\"].id\n}\n' >> security.tf"
broken no-anti-affinity 'no anti-affinity server group per role' \
  "sed -i 's/policies = \\[\"anti-affinity\"\\]/policies = [\"soft-affinity\"]/' compute.tf"
broken unused-variable 'variable "flavor" is never used' \
  "printf 'variable \"flavor\" {\n  type        = string\n  description = \"unused\"\n  validation {\n    condition     = var.flavor != \"\"\n    error_message = \"x\"\n  }\n}\n' >> variables.tf"

out=$(cd "$here" && node check-terraform.mjs "$module" "${dirs[@]}" 2>&1 | sed "s|$work/||g") || true
out=${out//"$module"/terraform}
passed=0; failed=0
if grep -q "^check-terraform: terraform: .*: ok$" <<<"$out"; then
  echo "ok   terraform/ passes"; passed=$((passed + 1))
else
  echo "FAIL terraform/ does not pass:"; grep "^check-terraform: terraform: " <<<"$out" | sed 's/^/     /'; failed=$((failed + 1))
fi
for c in "${cases[@]}"; do
  name=${c%%|*}; expect=${c#*|}
  mine=$(grep "^check-terraform: $name: " <<<"$out" || true)
  if grep -q ": ok$" <<<"$mine" || [ -z "$mine" ]; then
    echo "FAIL $name: the check accepted it"; failed=$((failed + 1))
  elif grep -qF -- "$expect" <<<"$mine"; then
    echo "ok   $name: rejected ($expect)"; passed=$((passed + 1))
  else
    echo "FAIL $name: rejected, but without '$expect':"; echo "$mine" | sed 's/^/     /'; failed=$((failed + 1))
  fi
done
# The firewall role's copy of the matrix (ansible/roles/firewall/files/port-matrix.json) missing a row.
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['rows']=[r for r in d['rows'] if not (r['to']=='redis' and r['ports']=='26379' and r['from']=='gateways')]; json.dump(d, open(sys.argv[2],'w'))" \
  "$module/../ansible/roles/firewall/files/port-matrix.json" "$work/fw-matrix.json"
fw=$(cd "$here" && LOOMGATE_FIREWALL_MATRIX="$work/fw-matrix.json" node check-terraform.mjs "$module" 2>&1) || true
expect='README row "redis tcp 26379 from gateways" is missing from the firewall role'
if grep -qF -- "$expect" <<<"$fw"; then echo "ok   firewall-matrix-row-missing: rejected ($expect)"; passed=$((passed + 1))
else echo "FAIL firewall-matrix-row-missing: not rejected with '$expect':"; echo "$fw" | sed 's/^/     /'; failed=$((failed + 1)); fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
