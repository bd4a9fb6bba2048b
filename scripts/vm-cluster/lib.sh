# shellcheck shell=bash
# Functions of scripts/vm-cluster/vm-cluster.sh: the network (namespaces + bridge, like the chaos harness's
# namespace mode), the machines (systemd-nspawn --boot, one overlay each) and their teardown.
# Everything created is written to $state (one line per thing) so teardown undoes exactly that, by PID and name.

VM_PREFIX=${VM_PREFIX:-lgvm-}
VM_SUBNET_BASE=${VM_SUBNET_BASE:-10.78.0}
VM_CTL_ADDRESS="$VM_SUBNET_BASE.2"

log() { printf '%s vm-cluster: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
remember() { echo "$*" >> "$state"; }

# The bridge namespace and the control namespace (Ansible, the apt repository, the load generator).
net_up() {
  local sw="${VM_PREFIX}sw"
  if ip netns list | grep -q "^$VM_PREFIX"; then
    die "namespaces ${VM_PREFIX}* exist already (another run, or a crashed one: $0 down)"
  fi
  ip netns add "$sw"; remember netns "$sw"
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  net_attach ctl "$VM_CTL_ADDRESS"
}

# net_attach NAME ADDRESS: namespace ${VM_PREFIX}NAME with eth0 (a veth into the bridge), ADDRESS/24, no route out.
net_attach() {
  local name=$1 addr=$2 ns="${VM_PREFIX}$1" sw="${VM_PREFIX}sw" veth="v-$1"
  veth=${veth:0:15}
  ip netns add "$ns"; remember netns "$ns"
  ip link add "$veth" netns "$sw" type veth peer name eth0 netns "$ns"
  ip -n "$sw" link set "$veth" master br0 up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
}

# machine_boot NAME ADDRESS ROOTFS PUBKEY USER: an overlay of ROOTFS, the admin user with the key (what
# cloud-init does on a cloud image), fresh SSH host keys, then systemd as init in the machine's namespace.
machine_boot() {
  local name=$1 addr=$2 rootfs=$3 pubkey=$4 user=$5
  local dir="$run/machines/$name" m
  m="$dir/root"
  mkdir -p "$dir/upper" "$dir/work" "$m"
  net_attach "$name" "$addr"
  mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$dir/upper,workdir=$dir/work" "$m"
  remember mount "$m"
  echo "$name" > "$m/etc/hostname"
  printf '127.0.0.1 localhost\n%s %s\n' "$addr" "$name" > "$m/etc/hosts"
  ssh-keygen -q -A -f "$m"
  chroot "$m" useradd --create-home --shell /bin/bash --groups sudo "$user"
  install -d -m 0700 -o "$(chroot "$m" id -u "$user")" -g "$(chroot "$m" id -g "$user")" "$m/home/$user/.ssh"
  install -m 0600 -o "$(chroot "$m" id -u "$user")" -g "$(chroot "$m" id -g "$user")" "$pubkey" "$m/home/$user/.ssh/authorized_keys"
  echo "$user ALL=(ALL) NOPASSWD:ALL" > "$m/etc/sudoers.d/90-cloud-init-users"
  chmod 0440 "$m/etc/sudoers.d/90-cloud-init-users"
  # --keep-unit: no scope through the host's D-Bus (there may be none); --register=no: no machined. Then
  # nspawn puts the machine under its caller's cgroup, so each machine is started from a cgroup of its own:
  # machines sharing one would share every unit's cgroup (lb1 stopping haproxy.service would kill lb2's).
  # NET_ADMIN inside its own namespace: keepalived adds the VIP, nftables loads the firewall; IPC_LOCK:
  # keepalived locks its VRRP process in memory.
  local cg
  for cg in "${cgroup_roots[@]}"; do mkdir -p "$cg/${VM_PREFIX}$name"; remember cgroup "$cg/${VM_PREFIX}$name"; done
  (
    for cg in "${cgroup_roots[@]}"; do echo "$BASHPID" > "$cg/${VM_PREFIX}$name/cgroup.procs"; done
    # /proc/sys/net writable inside (the machine owns its namespace): the roles set net.* sysctls.
    SYSTEMD_NSPAWN_API_VFS_WRITABLE=network exec setsid systemd-nspawn --boot --register=no --keep-unit --quiet -D "$m" -M "$name" \
      --network-namespace-path="/run/netns/${VM_PREFIX}$name" --capability=CAP_NET_ADMIN,CAP_NET_RAW,CAP_IPC_LOCK \
      --console=pipe </dev/null >"$dir/console.log" 2>&1
  ) &
  remember pid "$!" "$name"
  echo "$!" > "$dir/nspawn.pid"
}

# The cgroup hierarchies systemd tracks processes in: the v1 name=systemd one if the host has it (legacy and
# hybrid hosts) and cgroup2 (mounted here privately when the host has not mounted it, e.g. a v1-only host).
cgroup_setup() {
  cgroup_roots=()
  local fs=/sys/fs/cgroup
  [ -f "$fs/systemd/cgroup.procs" ] && cgroup_roots+=("$fs/systemd")
  if [ -f "$fs/cgroup.subtree_control" ]; then cgroup_roots+=("$fs")
  elif [ -f "$fs/unified/cgroup.procs" ]; then cgroup_roots+=("$fs/unified")
  else
    mkdir -p "$run/cgroup2"
    mount -t cgroup2 none "$run/cgroup2"; remember mount "$run/cgroup2"
    cgroup_roots+=("$run/cgroup2")
  fi
}

# in_ctl CMD...: run in the control namespace.
in_ctl() { ip netns exec "${VM_PREFIX}ctl" "$@"; }

# wait_ssh NAME ADDRESS USER KEY: until the machine accepts the key (bounded: 120 s).
wait_ssh() {
  local name=$1 addr=$2 user=$3 key=$4 i
  for i in $(seq 1 240); do
    if in_ctl ssh -q -i "$key" -o BatchMode=yes -o ConnectTimeout=2 -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null "$user@$addr" true 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  die "$name ($addr): no SSH after 120 s; its console: $run/machines/$name/console.log"
}

# teardown: stop the machines (SIGTERM to nspawn = orderly poweroff of the machine), then unmount, delete the
# namespaces, stop our own processes. Only what $state lists, in reverse order.
teardown() {
  [ -f "$state" ] || return 0
  local kind a b pids=()
  while read -r kind a b; do
    [ "$kind" = pid ] && kill -0 "$a" 2>/dev/null && { kill -TERM "$a" 2>/dev/null; pids+=("$a"); }
  done < <(tac "$state")
  local p i
  for p in "${pids[@]}"; do
    for i in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$p" 2>/dev/null && { log "PID $p did not stop in 30 s: SIGKILL"; kill -KILL "$p" 2>/dev/null; }
  done
  while read -r kind a b; do
    case $kind in
      mount) umount "$a" 2>/dev/null || umount -l "$a" 2>/dev/null || log "could not unmount $a" ;;
      # the machine's cgroup tree, deepest first (empty once its processes are gone)
      cgroup) [ -d "$a" ] && find "$a" -depth -type d -exec rmdir {} + 2>/dev/null
              [ ! -d "$a" ] || log "cgroup $a is not empty" ;;
      netns) ip netns del "$a" 2>/dev/null || true ;;
    esac
  done < <(tac "$state")
  rm -f "$state"
}
