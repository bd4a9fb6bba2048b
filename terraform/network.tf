# The cluster's private network: one subnet, a router to the external network, fixed addresses per role
# (locals.tf) so the inventory, HAProxy and keepalived configs stay stable across re-creates.

data "openstack_networking_network_v2" "external" {
  name     = var.external_network_name
  external = true
}

resource "openstack_networking_network_v2" "cluster" {
  name           = "${var.cluster_name}-net"
  admin_state_up = true
}

resource "openstack_networking_subnet_v2" "cluster" {
  name            = "${var.cluster_name}-subnet"
  network_id      = openstack_networking_network_v2.cluster.id
  cidr            = var.subnet_cidr
  ip_version      = 4
  dns_nameservers = var.dns_nameservers

  # DHCP hands out only addresses above every fixed block, so it never takes a role's or the VIP's.
  allocation_pool {
    start = cidrhost(var.subnet_cidr, 200)
    end   = cidrhost(var.subnet_cidr, 250)
  }
}

resource "openstack_networking_router_v2" "cluster" {
  name                = "${var.cluster_name}-router"
  admin_state_up      = true
  external_network_id = data.openstack_networking_network_v2.external.id
}

resource "openstack_networking_router_interface_v2" "cluster" {
  router_id = openstack_networking_router_v2.cluster.id
  subnet_id = openstack_networking_subnet_v2.cluster.id
}

# The VIP: a port that no instance owns. Neutron reserves the address; the LB ports allow it
# (allowed_address_pairs in compute.tf), so keepalived's gratuitous ARP moves it between them.
resource "openstack_networking_port_v2" "vip" {
  name           = "${var.cluster_name}-vip"
  network_id     = openstack_networking_network_v2.cluster.id
  admin_state_up = true

  fixed_ip {
    subnet_id  = openstack_networking_subnet_v2.cluster.id
    ip_address = local.vip_address
  }

  security_group_ids = [openstack_networking_secgroup_v2.role["lbs"].id]
}

resource "openstack_networking_floatingip_v2" "vip" {
  count = var.public_vip ? 1 : 0

  pool        = var.external_network_name
  port_id     = openstack_networking_port_v2.vip.id
  description = "${var.cluster_name} public VIP"

  depends_on = [openstack_networking_router_interface_v2.cluster]
}
