# One security group per role; every rule comes from local.port_matrix (README.md's table). Neutron adds
# the default egress rules. Nothing else in this module creates a rule.

resource "openstack_networking_secgroup_v2" "role" {
  for_each = local.role_base

  name                 = "${var.cluster_name}-${each.key}"
  description          = "Loomgate ${each.key}: ingress only as in the port matrix"
  delete_default_rules = false
}

resource "openstack_networking_secgroup_rule_v2" "matrix" {
  for_each = local.port_rules

  description       = each.value.why
  direction         = "ingress"
  ethertype         = "IPv4"
  security_group_id = openstack_networking_secgroup_v2.role[each.value.to].id
  # VRRP has no ports: Neutron takes the protocol number.
  protocol          = each.value.protocol == "vrrp" ? "112" : each.value.protocol
  port_range_min    = each.value.ports == "" ? null : tonumber(split("-", each.value.ports)[0])
  port_range_max    = each.value.ports == "" ? null : tonumber(reverse(split("-", each.value.ports))[0])
  remote_ip_prefix  = each.value.from == "any" ? "0.0.0.0/0" : (each.value.from == "admin" ? var.admin_cidr : null)
  remote_group_id   = contains(["any", "admin"], each.value.from) ? null : openstack_networking_secgroup_v2.role[each.value.from].id
}
