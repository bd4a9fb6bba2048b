# Instances per role, each in its role's anti-affinity server group (no two on one hypervisor), with a
# fixed-address port in its role's security group and cloud-init creating the admin user.

resource "openstack_compute_servergroup_v2" "role" {
  for_each = var.roles

  name = "${var.cluster_name}-${each.key}"
  # Hard anti-affinity: a role with more instances than hypervisors fails to schedule instead of
  # silently stacking two LBs (or two Redis hosts) on one failure domain.
  policies = ["anti-affinity"]
}

resource "openstack_networking_port_v2" "host" {
  for_each = local.instances

  name               = each.key
  network_id         = openstack_networking_network_v2.cluster.id
  admin_state_up     = true
  security_group_ids = [openstack_networking_secgroup_v2.role[each.value.role].id]

  fixed_ip {
    subnet_id  = openstack_networking_subnet_v2.cluster.id
    ip_address = each.value.address
  }

  # Only the LBs may answer for the VIP (port security drops other source addresses).
  dynamic "allowed_address_pairs" {
    for_each = each.value.role == "lbs" ? [local.vip_address] : []
    content {
      ip_address = allowed_address_pairs.value
    }
  }
}

resource "openstack_compute_instance_v2" "host" {
  for_each = local.instances

  name        = each.key
  image_name  = var.image_name
  flavor_name = each.value.flavor
  user_data = templatefile("${path.module}/cloud-init.yaml.tftpl", {
    hostname       = each.key
    admin_user     = var.admin_user
    ssh_public_key = trimspace(var.ssh_public_key)
  })

  network {
    port = openstack_networking_port_v2.host[each.key].id
  }

  scheduler_hints {
    group = openstack_compute_servergroup_v2.role[each.value.role].id
  }

  metadata = {
    loomgate_cluster = var.cluster_name
    loomgate_role    = each.value.role
  }

  # cloud-init runs once: a changed key is rolled out by Ansible, not by replacing every host.
  lifecycle {
    ignore_changes = [user_data]
  }
}
