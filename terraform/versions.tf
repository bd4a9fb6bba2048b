# Pinned: a provider upgrade is a reviewed change of this file (and of .terraform.lock.hcl after
# `terraform init`), never a side effect of a fresh init.
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = "= 3.0.0"
    }
  }
}
