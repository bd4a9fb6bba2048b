#!/usr/bin/env bash
# site.yml on booted Debian 12 machines: boots systemd-nspawn machines (systemd as init, sshd, nothing of the
# cluster) each in its own network namespace on a bridge namespace, serves a local apt repository in the
# test network (no internet for the machines), runs ansible-playbook site.yml over SSH from a control
# namespace, checks the cluster through the VIP, checks idempotence, then a rolling upgrade, a rollback and a
# rollout stopped by a failing node, under steady load with HTML reports. Tears everything down on exit or Ctrl-C.
#   scripts/vm-cluster/vm-cluster.sh [--size full|ci] [--no-upgrade] [--keep: leave it up, also on failure]
#   scripts/vm-cluster/vm-cluster.sh down                                         (after a crashed run)
# full: 2 LBs, 3 gateways, 3 Redis (+Sentinel), Consul stand-in + demo upstream, monitoring (10 machines).
# ci:   2 LBs, 2 gateways, 1 Redis (+Sentinel), Consul stand-in + demo upstream, monitoring (7 machines).
# Exit 0: passed; 1: failed; 0 with "SKIPPED: reason" when machines cannot boot here (VM_CLUSTER_REQUIRE=1
# turns that into exit 1).
set -euo pipefail
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
size=full upgrade=true keep=false down=false
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --size) size=${2:-}; shift 2 ;;
    --no-upgrade) upgrade=false; shift ;;
    --keep) keep=true; shift ;;
    down) down=true; shift ;;
    *) echo "vm-cluster: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $size in full|ci) ;; *) echo "vm-cluster: --size must be full or ci" >&2; exit 2 ;; esac

run="$root/target/vm-cluster/run"
state="$run/state"
# shellcheck source=lib.sh
. "$here/lib.sh"
if $down; then teardown; log "torn down"; exit 0; fi

skip() {
  echo "vm-cluster: SKIPPED: $*" >&2
  [ "${VM_CLUSTER_REQUIRE:-0}" = 1 ] && exit 1
  exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, overlay mounts, systemd-nspawn)"
for tool in systemd-nspawn mmdebstrap dpkg-scanpackages ansible-playbook ssh ssh-keygen; do
  command -v "$tool" >/dev/null || skip "$tool is missing (apt-get install systemd-container mmdebstrap dpkg-dev ansible openssh-client)"
done
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "the kernel has no overlay filesystem"
ip netns add "${VM_PREFIX}probe" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "${VM_PREFIX}probe"
[ ! -f "$state" ] || die "a previous run left $state: run '$0 down' first"

started=$(date +%s)
mkdir -p "$run"
rm -rf "$run/machines" "$run/ansible" "$run/report-"*
: > "$state"
on_exit() {
  local rc=$?
  if $keep; then log "--keep: machines stay up; '$0 down' removes them"; return; fi
  log "tearing down (machines by PID, mounts, namespaces)"
  teardown
  log "done in $(( $(date +%s) - started )) s, exit $rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- packages: version 1 (make dist), version 2 (the same build with the next version) -----------------
v1=$("$root/packaging/version.sh")
v2="$v1+vm2"
deb1="$root/target/dist/loomgate-gateway_${v1}_amd64.deb"
standin="$root/target/dist/loomgate-consul-standin_${v1}_amd64.deb"
deb2="$root/target/vm-cluster/dist-v2/loomgate-gateway_${v2}_amd64.deb"
if [ ! -f "$deb1" ] || [ ! -f "$standin" ]; then
  log "building $v1 packages (make dist, gzip)"
  LOOMGATE_DEB_COMPRESS=gzip "$root/packaging/build-deb.sh" >&2
fi
if [ ! -f "$deb2" ]; then
  log "building the second version $v2"
  LOOMGATE_DEB_VERSION=$v2 LOOMGATE_DEB_COMPRESS=gzip "$root/packaging/build-deb.sh" \
    --out "$root/target/vm-cluster/dist-v2" loomgate-gateway >&2
fi
JAVA_HOME=$("$root/bin/find-java"); export JAVA_HOME
. "$root/bin/lib/ensure-built.sh"
ensure_built chaos-harness >&2

# --- root filesystem (cached), apt repository ----------------------------------------------------------
log "root filesystem (mmdebstrap, cached)"
rootfs=$("$here/rootfs.sh")
log "apt repository (Debian packages the roles need + $v1 + $v2)"
"$here/apt-repo.sh" "$run/repo" "$deb1" "$deb2" "$standin"

# --- machines ---------------------------------------------------------------------------------------------
# name role address [redis_role]
machines=(
  "lb1 lbs .11" "lb2 lbs .12"
  "gw1 gateways .21" "gw2 gateways .22"
  "redis1 redis .61 master"
  "consul1 consul .101"
  "mon1 monitoring .111"
)
if [ "$size" = full ]; then
  machines+=("gw3 gateways .23" "redis2 redis .62 replica" "redis3 redis .63 replica")
fi
user=loomgate-admin
key="$run/id_ed25519"
rm -f "$key" "$key.pub"
ssh-keygen -q -t ed25519 -N '' -C vm-cluster -f "$key"
cgroup_setup
net_up
for m in "${machines[@]}"; do
  read -r name _ addr _ <<<"$m"
  machine_boot "$name" "$VM_SUBNET_BASE$addr" "$rootfs" "$key.pub" "$user"
done
log "booting ${#machines[@]} machines: ${machines[*]%% *}"
ip netns exec "${VM_PREFIX}ctl" python3 -m http.server 8000 --bind "$VM_CTL_ADDRESS" --directory "$run/repo" >"$run/repo.log" 2>&1 &
remember pid "$!" apt-repo
for m in "${machines[@]}"; do
  read -r name _ addr _ <<<"$m"
  wait_ssh "$name" "$VM_SUBNET_BASE$addr" "$user" "$key"
done
log "every machine booted with systemd and answers SSH ($(( $(date +%s) - started )) s since start)"

# --- inventory: a `terraform output -json` as terraform/outputs.tf writes it, plus the test fixtures --------
mkdir -p "$run/ansible"
python3 "$here/tf-output.py" "$VM_SUBNET_BASE.0/24" "$VM_SUBNET_BASE.10" "$user" "${machines[@]}" > "$run/ansible/terraform-output.json"
# Secrets with -e, as a site passes them from Ansible Vault.
token=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
redis_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
cat > "$run/ansible/fixtures.yml" <<EOF
# Written by scripts/vm-cluster/vm-cluster.sh: what a test cluster adds to Terraform's inventory.
all:
  vars:
    ansible_ssh_private_key_file: $key
    ansible_ssh_common_args: -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no
    # The local test repository (unsigned: trusted=yes is for this throwaway repository only).
    loomgate_apt_repo: "deb [trusted=yes] http://$VM_CTL_ADDRESS:8000/ ./"
    consul_standin_enabled: true
    gateway_seed_routes: true
    firewall_enabled: true
    firewall_admin_cidrs: ["$VM_CTL_ADDRESS/32"]
    firewall_extra_rules:
      - {to: consul, protocol: tcp, ports: "9001", from: gateways, why: "demo upstream (test fixture)"}
  children:
    upstreams:
      hosts:
        consul1: {}
EOF
export LOOMGATE_TF_OUTPUT="$run/ansible/terraform-output.json" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_CONFIG="$root/ansible/ansible.cfg" ANSIBLE_LOCAL_TEMP="$run/ansible/tmp" ANSIBLE_SSH_CONTROL_PATH_DIR="$run/ansible/cp"
playbook() { # LOGNAME ARGS...: site.yml from the control namespace; output in $run/ansible/LOGNAME.log
  local name=$1; shift
  (cd "$root/ansible" && ANSIBLE_LOG_PATH="$run/ansible/$name.log" in_ctl ansible-playbook site.yml \
      -i inventories/terraform/inventory.py -i "$run/ansible/fixtures.yml" \
      -e gateway_admin_token="$token" -e redis_password="$redis_pw" "$@" > "$run/ansible/$name.out" 2>&1)
}
recap() { sed -n '/PLAY RECAP/,$p' "$run/ansible/$1.out"; }

log "site.yml, first run (from empty; gateway $v1)"
t0=$(date +%s)
playbook site-1 -e gateway_package_version="$v1" || { tail -n 60 "$run/ansible/site-1.out" >&2; die "site.yml failed (log: $run/ansible/site-1.out)"; }
log "site.yml first run: $(( $(date +%s) - t0 )) s"; recap site-1 >&2

log "smoke check through the VIP $VM_SUBNET_BASE.10"
in_ctl python3 "$here/smoke.py" "$VM_SUBNET_BASE.10" "${machines[@]}" || die "smoke check failed"

log "site.yml, second run (idempotence: changed=0 on every host)"
t0=$(date +%s)
playbook site-2 -e gateway_package_version="$v1" || { tail -n 60 "$run/ansible/site-2.out" >&2; die "second run failed"; }
log "site.yml second run: $(( $(date +%s) - t0 )) s"; recap site-2 >&2
if recap site-2 | grep -E 'changed=[1-9]' >&2; then
  grep -E '^changed: ' "$run/ansible/site-2.out" >&2 || true
  die "second run changed something (not idempotent); log: $run/ansible/site-2.out"
fi
in_ctl python3 "$here/smoke.py" "$VM_SUBNET_BASE.10" "${machines[@]}" || die "smoke check after the second run failed"

if $upgrade; then
  . "$here/upgrade.sh"
  rolling "$v2" upgrade
  rolling "$v1" rollback
  # Bad input in the middle of a rollout: it stops at the failing node, the cluster keeps serving; the
  # usual command (all on v1) then repairs it, putting the stopped node back in rotation.
  stopped_rollout "$v2" "$v1"
  rolling "$v1" repair
  in_ctl python3 "$here/smoke.py" "$VM_SUBNET_BASE.10" "${machines[@]}" || die "smoke check after the repair failed"
fi
log "PASSED in $(( $(date +%s) - started )) s (${#machines[@]} machines, size $size)"
