#!/usr/bin/env bash
# The pod network for the NetworkPolicy e2e suite (e2e/netpol): one Linux bridge on the host, one network
# namespace per pod that matters, joined to the bridge by a veth pair, with the IP the cluster assigned to
# the pod. Traffic between pods is bridged, and br_netfilter hands bridged IPv4 frames to the host's
# iptables, where kube-router's NetworkPolicy controller (run by the suite) accepts or rejects them.
#
# Nothing here routes anywhere else: the pods get no default route (only the on-link routes named with
# `pod`), the host's ip_forward is left alone (pod-to-pod traffic is bridged, never routed), the host's only
# new route is the pod CIDR through the bridge (so the ICMP errors of kube-router's REJECTs reach the
# client), and every address lives inside the namespaces and the bridge this script creates.
#
# Usage (root):
#   net.sh deps                      install iptables, ipset, iproute2 with apt-get when missing
#   net.sh check                     every command and kernel feature the suite needs, probed in a throwaway
#                                    namespace; fails naming the first one missing
#   net.sh up CIDR NODE_IP           the bridge, holding NODE_IP/32 (the kwok node's InternalIP) for pods in CIDR
#   net.sh pod NAME ADDR/PREFIX [ROUTE...]
#                                    namespace tgnp-NAME, veth tgnpv-NAME <-> eth0 on the bridge, ADDR/PREFIX on
#                                    eth0, each ROUTE (a CIDR) on-link through eth0
#   net.sh down                      stop what runs in our namespaces, delete them, the veths and the bridge,
#                                    remove kube-router's NetworkPolicy chains, rules and ipsets (by their names),
#                                    restore br_netfilter's sysctl; then `leftovers`
#   net.sh leftovers                 print anything of ours still present; exit 1 if there is any
#
# Names: bridge tgnp0, namespaces tgnp-*, host-side veths tgnpv-* (NAME: at most 9 characters [a-z0-9]).
# State: $TOLLGATE_NETPOL_STATE (default /run/tollgate-netpol): the sysctl value to restore.
set -euo pipefail

BR=tgnp0
NS_PREFIX=tgnp-
VETH_PREFIX=tgnpv-
STATE="${TOLLGATE_NETPOL_STATE:-/run/tollgate-netpol}"
BRNF=/proc/sys/net/bridge/bridge-nf-call-iptables

die() { echo "net.sh: ERROR: $*" >&2; exit 1; }
log() { echo "net.sh: $*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, veths, a bridge and iptables need CAP_NET_ADMIN)"; }

cmd_deps() {
  local missing=()
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  command -v ipset >/dev/null 2>&1 || missing+=(ipset)
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them: install ${missing[*]} (the NetworkPolicy suite needs them)"
  log "installing ${missing[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
    || die "apt-get install ${missing[*]} failed"
}

# probe WHAT CMD...: run CMD; on failure stop, naming the kernel feature and the command's own error
probe() {
  local what="$1"; shift
  local out
  if ! out="$("$@" 2>&1)"; then
    die "missing kernel feature: $what
  command: $*
  error:   ${out:-<no output>}"
  fi
}

cmd_check() {
  need_root
  local c
  for c in ip iptables iptables-save iptables-restore ipset; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not installed (run: $0 deps)"
  done
  [[ "$(iptables --version)" =~ nf_tables|legacy ]] || die "unexpected 'iptables --version': $(iptables --version)"
  local ns="${NS_PREFIX}probe$$" veth="${VETH_PREFIX}p$$"
  veth="${veth:0:15}"
  # everything below happens inside a throwaway namespace (its rules, ipsets and links die with it)
  trap 'ip netns del "$ns" 2>/dev/null || true' RETURN
  probe "network namespaces (CONFIG_NET_NS)" ip netns add "$ns"
  probe "veth pairs (CONFIG_VETH)" ip -n "$ns" link add "$veth" type veth peer name eth0
  probe "Linux bridges (CONFIG_BRIDGE)" ip -n "$ns" link add "${BR}p" type bridge
  probe "bridge ports" ip -n "$ns" link set "$veth" master "${BR}p"
  [ -e "$BRNF" ] || die "missing kernel feature: br_netfilter (bridged IPv4 traffic is not passed to iptables: $BRNF does not exist; load the br_netfilter module: modprobe br_netfilter)"
  probe "ip_set (CONFIG_IP_SET, hash:ip)" ip netns exec "$ns" ipset create tgnp-probe-ip hash:ip timeout 0
  probe "ip_set hash:net with nomatch (CONFIG_IP_SET_HASH_NET)" sh -c "ip netns exec $ns ipset create tgnp-probe-net hash:net timeout 0 && ip netns exec $ns ipset add tgnp-probe-net 10.0.0.0/8 nomatch"
  probe "iptables filter table (nf_tables / ip_tables)" ip netns exec "$ns" iptables -N TGNP-PROBE
  probe "iptables comment match (xt_comment)" ip netns exec "$ns" iptables -A TGNP-PROBE -m comment --comment probe -j RETURN
  probe "iptables set match (xt_set)" ip netns exec "$ns" iptables -A TGNP-PROBE -m set --match-set tgnp-probe-ip src -j RETURN
  probe "iptables physdev match (xt_physdev, bridged traffic)" ip netns exec "$ns" iptables -A TGNP-PROBE -m physdev --physdev-is-bridged -j RETURN
  probe "iptables conntrack match (xt_conntrack)" ip netns exec "$ns" iptables -A TGNP-PROBE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  probe "iptables mark match and MARK target (xt_mark)" ip netns exec "$ns" iptables -A TGNP-PROBE -m mark --mark 0x10000/0x10000 -j MARK --set-xmark 0x20000/0x20000
  probe "iptables multiport match (xt_multiport)" ip netns exec "$ns" iptables -A TGNP-PROBE -p tcp -m multiport --dports 30000:32767 -j RETURN
  probe "iptables addrtype match (xt_addrtype)" ip netns exec "$ns" iptables -A TGNP-PROBE -m addrtype --dst-type LOCAL -j RETURN
  probe "iptables NFLOG target (xt_NFLOG)" ip netns exec "$ns" iptables -A TGNP-PROBE -j NFLOG --nflog-group 100
  probe "iptables REJECT target (ipt_REJECT)" ip netns exec "$ns" iptables -A TGNP-PROBE -j REJECT
  probe "iptables-save / iptables-restore" sh -c "ip netns exec $ns iptables-save -t filter | ip netns exec $ns iptables-restore -T filter"
  ip netns del "$ns"
  trap - RETURN
  log "check: every command and kernel feature the NetworkPolicy suite needs is present ($(iptables --version))"
}

cmd_up() {
  need_root
  local cidr="${1:?usage: net.sh up CIDR NODE_IP}" node_ip="${2:?usage: net.sh up CIDR NODE_IP}"
  [[ "$cidr" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$ ]] || die "CIDR must be IPv4 ADDR/PREFIX (got '$cidr')"
  [[ "$node_ip" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "NODE_IP must be an IPv4 address (got '$node_ip')"
  ip link show "$BR" >/dev/null 2>&1 && die "bridge $BR already exists (a previous run left it? run: $0 down)"
  [ -e "$BRNF" ] || die "missing kernel feature: br_netfilter ($BRNF does not exist; modprobe br_netfilter)"
  mkdir -p "$STATE"
  [ -f "$STATE/bridge-nf-call-iptables" ] || cat "$BRNF" > "$STATE/bridge-nf-call-iptables"
  echo 1 > "$BRNF" || die "cannot enable br_netfilter for the bridge (echo 1 > $BRNF failed)"
  ip link add "$BR" type bridge
  # the node's InternalIP, as a /32: a local address for the node, and no route from the host into the pods
  ip addr add "$node_ip/32" dev "$BR"
  ip link set "$BR" up
  # the host reaches the pods through the bridge (kube-router's REJECTs are ICMP errors the host sends to the
  # client pod: without this route they are lost and a refused connection reads as a timeout)
  ip route add "$cidr" dev "$BR" src "$node_ip"
  log "up: bridge $BR (node address $node_ip/32; pods in $cidr; bridged traffic goes through iptables)"
}

cmd_pod() {
  need_root
  local name="${1:?usage: net.sh pod NAME ADDR/PREFIX [ROUTE...]}" addr="${2:?usage: net.sh pod NAME ADDR/PREFIX [ROUTE...]}"
  shift 2
  [[ "$name" =~ ^[a-z0-9]{1,9}$ ]] || die "pod name must be 1-9 characters [a-z0-9] (got '$name')"
  [[ "$addr" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$ ]] || die "address must be ADDR/PREFIX (got '$addr')"
  ip link show "$BR" >/dev/null 2>&1 || die "bridge $BR does not exist (run: $0 up CIDR)"
  local ns="$NS_PREFIX$name" veth="$VETH_PREFIX$name"
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BR" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$addr" dev eth0
  ip -n "$ns" link set eth0 up
  local r; for r in "$@"; do ip -n "$ns" route add "$r" dev eth0 scope link; done
  log "pod: $ns $addr${*:+ (on-link routes: $*)}"
}

# our namespaces / links, one per line
our_netns() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS_PREFIX" || true; }
our_links() { ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "^($BR|$VETH_PREFIX)" || true; }
KR_CHAINS='KUBE-ROUTER-|KUBE-POD-FW-|KUBE-NWPLCY-'
kr_rules() { iptables-save -t filter 2>/dev/null | grep -E "$KR_CHAINS|KUBE-SRC-|KUBE-DST-" || true; }
kr_chains() { iptables-save -t filter 2>/dev/null | sed -n 's/^:\([^ ]*\) .*/\1/p' | grep -E "^($KR_CHAINS)" || true; }
kr_ipsets() { ipset list -n 2>/dev/null | grep -E '^KUBE-(SRC|DST)-' || true; }

cmd_down() {
  need_root
  local ns pid
  for ns in $(our_netns); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  done
  for ns in $(our_netns); do
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.2; done
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  local l; for l in $(our_links); do ip link del "$l" 2>/dev/null || true; done
  # kube-router's NetworkPolicy controller writes only the filter table: jumps from INPUT/FORWARD/OUTPUT to
  # KUBE-ROUTER-{INPUT,FORWARD,OUTPUT}, chains KUBE-POD-FW-* and KUBE-NWPLCY-*, ipsets KUBE-SRC-* / KUBE-DST-*.
  # Removed here by exactly those names (kube-proxy's KUBE-* chains, if the machine has any, are not touched).
  # Not `kube-router --cleanup-config`: in v2.1.0 its NetworkPolicy part is a no-op (it cleans an empty
  # controller), and its service-proxy part would delete every IPVS service on the machine (then panics).
  local rule chain builtin
  for builtin in INPUT FORWARD OUTPUT; do
    while read -r rule; do
      [ -n "$rule" ] || continue
      eval "iptables -t filter -D ${rule#-A }" 2>/dev/null || true
    done < <(iptables-save -t filter 2>/dev/null | grep -E "^-A $builtin .*-j KUBE-ROUTER-(INPUT|FORWARD|OUTPUT)( |\$)" || true)
  done
  for chain in $(kr_chains); do iptables -t filter -F "$chain" 2>/dev/null || true; done
  for chain in $(kr_chains); do iptables -t filter -X "$chain" 2>/dev/null || true; done
  local s; for s in $(kr_ipsets); do ipset destroy "$s" 2>/dev/null || true; done
  if [ -f "$STATE/bridge-nf-call-iptables" ]; then
    cat "$STATE/bridge-nf-call-iptables" > "$BRNF" 2>/dev/null || true
    rm -f "$STATE/bridge-nf-call-iptables"
  fi
  rmdir "$STATE" 2>/dev/null || true
  cmd_leftovers
}

cmd_leftovers() {
  local out=""
  local n l r s
  n="$(our_netns)"; [ -z "$n" ] || out+="network namespaces: $(echo $n)"$'\n'
  l="$(our_links)"; [ -z "$l" ] || out+="links: $(echo $l)"$'\n'
  r="$(kr_rules)"; [ -z "$r" ] || out+="iptables (filter) rules/chains:"$'\n'"$r"$'\n'
  s="$(kr_ipsets)"; [ -z "$s" ] || out+="ipsets: $(echo $s)"$'\n'
  if [ -n "$out" ]; then printf 'net.sh: left behind:\n%s' "$out" >&2; return 1; fi
  log "nothing left behind (no tgnp-* namespaces or links, no kube-router chains, rules or ipsets)"
}

sub="${1:-}"; shift || true
case "$sub" in
  deps) cmd_deps ;;
  check) cmd_check ;;
  up) cmd_up "$@" ;;
  pod) cmd_pod "$@" ;;
  down) cmd_down "$@" ;;
  leftovers) cmd_leftovers ;;
  *) die "usage: net.sh deps|check|up CIDR NODE_IP|pod NAME ADDR/PREFIX [ROUTE...]|down|leftovers" ;;
esac
