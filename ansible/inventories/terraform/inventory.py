#!/usr/bin/env python3
"""Ansible inventory from Terraform's outputs (terraform/outputs.tf): the only hand-over between the two.

  ansible-playbook site.yml -i inventories/terraform/inventory.py        (reads `terraform output -json`)
  LOOMGATE_TF_OUTPUT=out.json ansible-inventory -i inventories/terraform/inventory.py --list

Input: the JSON of `terraform output -json`, from the file LOOMGATE_TF_OUTPUT names, else from running
`terraform -chdir=<LOOMGATE_TF_DIR, default terraform/ of this repository> output -json`.
Output: the groups and host vars of inventories/netns (lbs, gateways, redis, sentinels, consul,
monitoring, logs) for real VMs: ansible_host/node_address per host, the VIP, keepalived priorities, the
Redis master. Bad input (two Redis masters, a VIP outside the subnet, a host without an address, ...)
stops with a message naming the value, before Ansible touches any host.
"""
import ipaddress
import json
import os
import subprocess
import sys

ROLES = ("lbs", "gateways", "redis", "consul", "monitoring")
HERE = os.path.dirname(os.path.abspath(__file__))


class InventoryError(Exception):
    pass


def load_outputs():
    path = os.environ.get("LOOMGATE_TF_OUTPUT")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise InventoryError(f"LOOMGATE_TF_OUTPUT={path}: {e.strerror}")
        where = path
    else:
        tf_dir = os.environ.get("LOOMGATE_TF_DIR", os.path.join(HERE, "..", "..", "..", "terraform"))
        try:
            done = subprocess.run(["terraform", f"-chdir={tf_dir}", "output", "-json"],
                                  capture_output=True, text=True, timeout=120, check=False)
        except FileNotFoundError:
            raise InventoryError("no terraform binary: set LOOMGATE_TF_OUTPUT to a saved `terraform output -json` file")
        if done.returncode != 0:
            raise InventoryError(f"terraform output -json in {tf_dir} failed: {done.stderr.strip()}")
        text, where = done.stdout, f"terraform output in {tf_dir}"
    try:
        outputs = json.loads(text)
    except json.JSONDecodeError as e:
        raise InventoryError(f"{where}: not JSON ({e})")
    if not isinstance(outputs, dict) or not outputs:
        raise InventoryError(f"{where}: no outputs (run terraform apply first)")
    return outputs, where


def value(outputs, name, where):
    out = outputs.get(name)
    if not isinstance(out, dict) or "value" not in out:
        raise InventoryError(f"{where}: output '{name}' is missing (terraform/outputs.tf declares it)")
    return out["value"]


def build(outputs, where):
    cluster = value(outputs, "cluster", where)
    hosts = value(outputs, "hosts", where)
    if not isinstance(cluster, dict) or not isinstance(hosts, dict) or not hosts:
        raise InventoryError(f"{where}: outputs 'cluster' must be an object and 'hosts' a non-empty object")

    try:
        subnet = ipaddress.IPv4Network(cluster.get("subnet_cidr", ""), strict=True)
    except ValueError as e:
        raise InventoryError(f"cluster.subnet_cidr '{cluster.get('subnet_cidr', '')}' is not an IPv4 network: {e}")
    vip = _address(cluster.get("vip"), "cluster.vip")
    if vip not in subnet or vip in (subnet.network_address, subnet.broadcast_address):
        raise InventoryError(f"cluster.vip {vip} is outside the subnet {subnet} (keepalived could not move it there)")
    admin_user = cluster.get("admin_user") or ""
    if not admin_user:
        raise InventoryError("cluster.admin_user is empty: Ansible would not know whom to log in as")

    groups = {role: [] for role in ROLES}
    hostvars = {}
    seen = {str(vip): "the VIP"}
    for name in sorted(hosts, key=lambda n: (hosts[n].get("role", ""), hosts[n].get("index", 0), n)):
        h = hosts[name]
        role = h.get("role")
        if role not in ROLES:
            raise InventoryError(f"host {name}: role '{role}' is not one of {', '.join(ROLES)}")
        if not h.get("address"):
            raise InventoryError(f"host {name} ({role}) has no address")
        addr = _address(h["address"], f"host {name} address")
        if addr not in subnet:
            raise InventoryError(f"host {name} address {addr} is outside the subnet {subnet}")
        if str(addr) in seen:
            raise InventoryError(f"host {name} address {addr} is already {seen[str(addr)]}")
        seen[str(addr)] = f"host {name}'s"
        groups[role].append(name)
        hostvars[name] = {"ansible_host": str(addr), "node_address": str(addr), "cluster_role": role}
        if role == "redis":
            redis_role = h.get("redis_role")
            if redis_role not in ("master", "replica"):
                raise InventoryError(f"host {name}: redis_role '{redis_role}' must be master or replica")
            hostvars[name]["redis_role"] = redis_role

    for role, minimum in (("lbs", 1), ("gateways", 1), ("redis", 1)):
        if len(groups[role]) < minimum:
            raise InventoryError(f"no host with role {role}: the cluster needs at least {minimum}")
    masters = [n for n in groups["redis"] if hostvars[n]["redis_role"] == "master"]
    if len(masters) != 1:
        raise InventoryError(f"exactly one Redis master expected, found {len(masters)}"
                             f"{': ' + ', '.join(masters) if masters else ''}")
    if len(groups["lbs"]) > 2:
        raise InventoryError(f"{len(groups['lbs'])} load balancers: keepalived's VIP pair is 2")
    if len(groups["monitoring"]) > 1:
        raise InventoryError("more than one monitoring host: Prometheus and the central log host are one machine")

    # keepalived: the first LB starts as master (nopreempt keeps whoever holds the VIP).
    for i, name in enumerate(groups["lbs"]):
        hostvars[name]["keepalived_priority"] = 150 if i == 0 else 100

    inventory = {
        "_meta": {"hostvars": hostvars},
        "all": {
            "children": [*ROLES, "sentinels", "logs"],
            "vars": {
                "ansible_user": admin_user,
                "ansible_become": True,
                "loomgate_cluster_name": cluster.get("name", ""),
                "cluster_subnet": str(subnet),
                "vip": str(vip),
                "vip_prefix": subnet.prefixlen,
                "public_vip": cluster.get("public_vip") or "",
                "keepalived_enabled": True,
                "keepalived_interface": cluster.get("vm_interface") or "ens3",
                "haproxy_frontend_address": str(vip),
                "rsyslog_enabled": bool(groups["monitoring"]),
            },
        },
    }
    for role in ROLES:
        inventory[role] = {"hosts": groups[role]}
    # A Sentinel next to every Redis server (terraform/README.md), the central logs on the monitoring host.
    inventory["sentinels"] = {"hosts": list(groups["redis"])}
    inventory["logs"] = {"hosts": list(groups["monitoring"])}
    return inventory


def _address(text, what):
    try:
        return ipaddress.IPv4Address(str(text))
    except ValueError:
        raise InventoryError(f"{what} '{text}' is not an IPv4 address")


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    try:
        inventory = build(*load_outputs())
    except InventoryError as e:
        print(f"loomgate terraform inventory: {e}", file=sys.stderr)
        return 1
    if argv[1] == "--list":
        json.dump(inventory, sys.stdout, indent=2, sort_keys=True)
        print()
        return 0
    if argv[1] == "--host" and len(argv) == 3:
        json.dump(inventory["_meta"]["hostvars"].get(argv[2], {}), sys.stdout)
        print()
        return 0
    print(f"usage: {argv[0]} --list | --host HOST", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
