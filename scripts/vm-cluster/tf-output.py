#!/usr/bin/env python3
"""Writes what `terraform output -json` prints for terraform/outputs.tf (cluster, hosts, security_groups),
for the vm-cluster machines, so the test goes through the same hand-over as a real site
(ansible/inventories/terraform/inventory.py). Usage: tf-output.py SUBNET VIP ADMIN_USER "name role .N [redis_role]"..."""
import ipaddress
import json
import sys

subnet, vip, user, machines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
net = ipaddress.IPv4Network(subnet)
base = str(net.network_address).rsplit(".", 1)[0]
hosts, index = {}, {}
for m in machines:
    f = m.split()
    name, role, suffix = f[0], f[1], f[2]
    index[role] = index.get(role, 0) + 1
    hosts[name] = {"address": base + suffix, "index": index[role], "role": role,
                   "redis_role": f[3] if len(f) > 3 else ""}
print(json.dumps({
    "cluster": {"sensitive": False, "value": {
        "admin_user": user, "name": "lgvm", "public_vip": "", "subnet_cidr": subnet, "vip": vip,
        "vip_prefix": net.prefixlen, "vm_interface": "eth0"}},
    "hosts": {"sensitive": False, "value": hosts},
    "security_groups": {"sensitive": False, "value": {r: "none (booted machines: nftables)" for r in index}},
}, indent=2))
