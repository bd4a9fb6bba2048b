# `terraform output -json` is the only hand-over to Ansible: ansible/inventories/terraform/ turns it
# into the inventory (groups lbs, gateways, redis, sentinels, consul, monitoring, logs).

output "cluster" {
  description = "Cluster-wide values for the inventory: name, subnet, VIP (private and public), admin user, VRRP interface."
  value = {
    name         = var.cluster_name
    subnet_cidr  = openstack_networking_subnet_v2.cluster.cidr
    vip          = openstack_networking_port_v2.vip.all_fixed_ips[0]
    vip_prefix   = tonumber(split("/", var.subnet_cidr)[1])
    public_vip   = var.public_vip ? openstack_networking_floatingip_v2.vip[0].address : ""
    admin_user   = var.admin_user
    vm_interface = var.vm_interface
  }
}

output "hosts" {
  description = "Every instance by name: its role, its index in the role (1-based), its private address and, on Redis hosts, its initial replication role (the first is the master)."
  value = {
    for name, inst in local.instances : name => {
      role       = inst.role
      index      = inst.index
      address    = openstack_compute_instance_v2.host[name].access_ip_v4
      redis_role = inst.role == "redis" ? (inst.index == 1 ? "master" : "replica") : ""
    }
  }
}

output "security_groups" {
  description = "Security group id per role (for rules an operator adds outside this module)."
  value       = { for role, sg in openstack_networking_secgroup_v2.role : role => sg.id }
}
