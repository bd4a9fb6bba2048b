locals {
  # First host number of each role's address block in subnet_cidr (see the VIP's 2..10 and the DHCP pool
  # from 200 in network.tf); a role's n-th host gets base + n.
  role_base = {
    lbs        = 10
    gateways   = 20
    redis      = 60
    consul     = 100
    monitoring = 110
  }

  vip_address = cidrhost(var.subnet_cidr, var.vip_host_number)

  # One entry per instance: name, role, index (1-based) and fixed address.
  instances = merge([
    for role, spec in var.roles : {
      for i in range(1, spec.count + 1) :
      "${var.cluster_name}-${role}-${i}" => {
        role    = role
        index   = i
        address = cidrhost(var.subnet_cidr, local.role_base[role] + i)
        flavor  = spec.flavor
      }
    }
  ]...)

  # The port matrix: the same rows as the table in README.md (tests/check-terraform.mjs compares them).
  # to/from: a role (its security group), "any" (0.0.0.0/0) or "admin" (var.admin_cidr).
  port_matrix = [
    { to = "lbs", protocol = "tcp", ports = "80", from = "any", why = "HTTP to the VIP" },
    { to = "lbs", protocol = "tcp", ports = "443", from = "any", why = "HTTPS to the VIP" },
    { to = "lbs", protocol = "vrrp", ports = "", from = "lbs", why = "keepalived VRRP (IP protocol 112)" },
    { to = "lbs", protocol = "tcp", ports = "8404", from = "monitoring", why = "HAProxy stats and metrics" },
    { to = "gateways", protocol = "tcp", ports = "8080", from = "lbs", why = "gateway proxy port" },
    { to = "gateways", protocol = "tcp", ports = "8080", from = "monitoring", why = "gateway proxy port (synthetic checks)" },
    { to = "gateways", protocol = "tcp", ports = "9080", from = "lbs", why = "gateway admin port (health checks)" },
    { to = "gateways", protocol = "tcp", ports = "9080", from = "monitoring", why = "gateway admin port (metrics)" },
    { to = "redis", protocol = "tcp", ports = "6379", from = "gateways", why = "Redis (rate limits)" },
    { to = "redis", protocol = "tcp", ports = "6379", from = "redis", why = "Redis replication, Sentinel checks" },
    { to = "redis", protocol = "tcp", ports = "16379", from = "redis", why = "Redis Cluster bus (redis_mode: cluster)" },
    { to = "redis", protocol = "tcp", ports = "26379", from = "gateways", why = "Sentinel (master discovery)" },
    { to = "redis", protocol = "tcp", ports = "26379", from = "redis", why = "Sentinel to Sentinel" },
    { to = "redis", protocol = "tcp", ports = "9121", from = "monitoring", why = "redis_exporter" },
    { to = "consul", protocol = "tcp", ports = "8500", from = "gateways", why = "Consul HTTP API" },
    { to = "consul", protocol = "tcp", ports = "8500", from = "monitoring", why = "Consul HTTP API (metrics)" },
    { to = "consul", protocol = "tcp", ports = "8300-8302", from = "consul", why = "Consul server RPC and Serf" },
    { to = "consul", protocol = "udp", ports = "8301-8302", from = "consul", why = "Consul Serf gossip" },
    { to = "monitoring", protocol = "tcp", ports = "2514", from = "gateways", why = "central logs (rsyslog)" },
    { to = "monitoring", protocol = "tcp", ports = "3000", from = "admin", why = "Grafana" },
    { to = "monitoring", protocol = "tcp", ports = "9090", from = "admin", why = "Prometheus" },
    { to = "monitoring", protocol = "tcp", ports = "9093", from = "admin", why = "Alertmanager" },
    { to = "lbs", protocol = "tcp", ports = "22", from = "admin", why = "SSH" },
    { to = "gateways", protocol = "tcp", ports = "22", from = "admin", why = "SSH" },
    { to = "redis", protocol = "tcp", ports = "22", from = "admin", why = "SSH" },
    { to = "consul", protocol = "tcp", ports = "22", from = "admin", why = "SSH" },
    { to = "monitoring", protocol = "tcp", ports = "22", from = "admin", why = "SSH" },
  ]

  # Keyed for for_each: a row's key is stable, so editing one row replaces only that rule.
  port_rules = {
    for r in local.port_matrix :
    "${r.to}-${r.protocol}-${r.ports == "" ? "all" : r.ports}-from-${r.from}" => r
  }
}
