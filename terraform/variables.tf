variable "cluster_name" {
  type        = string
  description = "Prefix of every resource name and of the host names (lg-gw-1, ...)."
  default     = "lg"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.cluster_name))
    error_message = "cluster_name: 1-16 characters, lower-case letters, digits and '-', starting with a letter (it becomes part of host names)."
  }
}

variable "external_network_name" {
  type        = string
  description = "Name of the provider's external network: the router's gateway and the pool of the VIP's floating IP."

  validation {
    condition     = length(trimspace(var.external_network_name)) > 0
    error_message = "external_network_name must name the cloud's external network (openstack network list --external)."
  }
}

variable "subnet_cidr" {
  type        = string
  description = "IPv4 range of the cluster's private subnet; host addresses are taken from it in order per role."
  default     = "10.77.0.0/24"

  validation {
    condition     = can(cidrnetmask(var.subnet_cidr)) && tonumber(split("/", var.subnet_cidr)[1]) <= 24
    error_message = "subnet_cidr must be an IPv4 CIDR of /24 or larger (the roles' address blocks end at host number 111)."
  }
}

variable "vip_host_number" {
  type        = number
  description = "Host number of the keepalived VIP inside subnet_cidr (cidrhost(subnet_cidr, n)); outside every role's block."
  default     = 10

  validation {
    condition     = var.vip_host_number >= 2 && var.vip_host_number < 11
    error_message = "vip_host_number must be 2..10: lower numbers are the router's, 11 and up belong to the roles' blocks."
  }
}

variable "dns_nameservers" {
  type        = list(string)
  description = "DNS servers handed out on the subnet (empty: the cloud's default)."
  default     = []

  validation {
    condition     = alltrue([for a in var.dns_nameservers : can(cidrhost("${a}/32", 0))])
    error_message = "dns_nameservers must be IPv4 addresses."
  }
}

variable "admin_cidr" {
  type        = string
  description = "The only source allowed to reach SSH on every host and the monitoring UIs (Prometheus, Alertmanager, Grafana)."

  validation {
    condition     = can(cidrnetmask(var.admin_cidr)) && var.admin_cidr != "0.0.0.0/0"
    error_message = "admin_cidr must be an IPv4 CIDR and not 0.0.0.0/0 (SSH from anywhere is not allowed)."
  }
}

variable "admin_user" {
  type        = string
  description = "Login that cloud-init creates on every host (sudo without password, SSH key only); Ansible connects as it."
  default     = "loomgate-admin"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.admin_user)) && var.admin_user != "root"
    error_message = "admin_user must be a valid Linux user name other than root."
  }
}

variable "ssh_public_key" {
  type        = string
  description = "OpenSSH public key (one line) authorized for admin_user on every host."
  sensitive   = false

  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$", trimspace(var.ssh_public_key)))
    error_message = "ssh_public_key must be one OpenSSH public key line (ssh-ed25519, ssh-rsa or ecdsa-sha2-*)."
  }
}

variable "image_name" {
  type        = string
  description = "Glance image of every host: a Debian 12 cloud image (systemd, sshd, python3, sudo, cloud-init)."
  default     = "debian-12-genericcloud-amd64"

  validation {
    condition     = length(trimspace(var.image_name)) > 0
    error_message = "image_name must name a Glance image (openstack image list)."
  }
}

variable "roles" {
  type = object({
    lbs        = object({ count = number, flavor = string })
    gateways   = object({ count = number, flavor = string })
    redis      = object({ count = number, flavor = string })
    consul     = object({ count = number, flavor = string })
    monitoring = object({ count = number, flavor = string })
  })
  description = "Instances per role and their flavor. lbs: the keepalived pair; redis: one master, the rest replicas, a Sentinel on each; consul: the server quorum."
  default = {
    lbs        = { count = 2, flavor = "m1.small" }
    gateways   = { count = 3, flavor = "m1.medium" }
    redis      = { count = 3, flavor = "m1.small" }
    consul     = { count = 3, flavor = "m1.small" }
    monitoring = { count = 1, flavor = "m1.medium" }
  }

  validation {
    condition     = var.roles.lbs.count == 2
    error_message = "roles.lbs.count must be 2: keepalived moves the VIP between exactly two load balancers."
  }
  validation {
    condition     = var.roles.gateways.count >= 2 && var.roles.gateways.count <= 40
    error_message = "roles.gateways.count must be 2..40 (one node down during a rolling upgrade must leave one serving)."
  }
  validation {
    condition     = var.roles.redis.count >= 3 && var.roles.redis.count % 2 == 1 && var.roles.redis.count <= 40
    error_message = "roles.redis.count must be odd and >= 3: each Redis host runs a Sentinel and the Sentinels need a majority."
  }
  validation {
    condition     = contains([1, 3, 5], var.roles.consul.count)
    error_message = "roles.consul.count must be 1, 3 or 5 (Consul server quorum)."
  }
  validation {
    condition     = var.roles.monitoring.count == 1
    error_message = "roles.monitoring.count must be 1 (Prometheus, Alertmanager, Grafana and the central log host)."
  }
  validation {
    condition     = alltrue([for r in values(var.roles) : length(trimspace(r.flavor)) > 0])
    error_message = "every role needs a flavor."
  }
}

variable "vm_interface" {
  type        = string
  description = "Name of the private network interface inside the image (keepalived binds VRRP to it); Debian 12 cloud images on KVM: ens3."
  default     = "ens3"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,14}$", var.vm_interface))
    error_message = "vm_interface must be a Linux interface name."
  }
}

variable "public_vip" {
  type        = bool
  description = "Attach a floating IP from the external network to the VIP port (clients outside the cloud)."
  default     = true
}
