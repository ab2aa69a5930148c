#!/usr/bin/env bash
# Starts a local Kubernetes control plane from the binaries e2e/cluster/build.sh cached:
#   etcd -> kube-apiserver -> kube-controller-manager + kube-scheduler -> kwok (fake nodes with nvidia.com/gpu)
# Everything listens on 127.0.0.1 on free ports chosen at start, so two clones can run a cluster each.
# State lives in <repo>/.tollgate-cluster/ (gitignored):
#   kubeconfig        admin credentials (group system:masters)   -> export KUBECONFIG=$PWD/.tollgate-cluster/kubeconfig
#   env               KEY=value facts about the running cluster (ports, server URL, pids)
#   pki/              CA, serving and client certs, service-account key pair (made once with openssl, reused)
#   logs/<name>.log   one log per component (kept after down.sh for post-mortems)
#   pids/<name>.pid   pids of the processes this script started (down.sh stops only those)
#   etcd-data/        etcd data (wiped on every fresh start)
#
# Idempotent: if the cluster of this state dir is running and healthy it is reused (exit 0, prints "reused");
# if it is half-running it is stopped and started cleanly. TOLLGATE_CLUSTER_FRESH=1 forces a clean restart.
# Env: TOLLGATE_CACHE (binary cache), TOLLGATE_CLUSTER_DIR (state dir; default <repo>/.tollgate-cluster),
#      TOLLGATE_CLUSTER_TIMEOUT (seconds to wait for each component to become ready; default 120),
#      TOLLGATE_APISERVER_PROFILING=true (experiments: serve kube-apiserver's /debug/pprof, e.g. to see where its
#      CPU goes in bench/operator-scale.ts; off by default).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# shellcheck source=../versions.env
. "$HERE/../versions.env"
TOLLGATE_CACHE="${TOLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate}"
STATE="${TOLLGATE_CLUSTER_DIR:-$REPO/.tollgate-cluster}"
TIMEOUT="${TOLLGATE_CLUSTER_TIMEOUT:-120}"
KUBE_BIN="$TOLLGATE_CACHE/bin/kubernetes-$KUBERNETES_VERSION"
ETCD_BIN="$TOLLGATE_CACHE/bin/etcd-$ETCD_VERSION/etcd"
KWOK_BIN="$TOLLGATE_CACHE/bin/kwok-$KWOK_VERSION/kwok"
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1 # first address of SERVICE_CIDR: the `kubernetes` Service
POD_CIDR=10.244.0.1/16

die() { echo "up.sh: ERROR: $*" >&2; exit 1; }
log() { echo "up.sh: $*" >&2; }
now_ms() { date +%s%3N; }
T0=$(now_ms)

# ---- prerequisites -------------------------------------------------------------------------------------
need_bin() { [ -x "$1" ] || die "missing $1 ($2). Build it with: bash e2e/cluster/build.sh $3   (or: npm run e2e:build)"; }
need_bin "$ETCD_BIN" "etcd $ETCD_VERSION" etcd
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  need_bin "$KUBE_BIN/$b" "$b $KUBERNETES_VERSION" kubernetes
done
need_bin "$KWOK_BIN" "kwok $KWOK_VERSION" kwok
KUBECTL="$KUBE_BIN/kubectl"
command -v curl >/dev/null 2>&1 || die "'curl' is not installed (needed for readiness probes): apt-get install -y curl"
if ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "openssl is missing; installing it with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl; } >&2 || die "could not install openssl with apt-get"
  else
    die "'openssl' is not installed (needed to make the cluster's certificates): apt-get install -y openssl"
  fi
fi
command -v node >/dev/null 2>&1 || die "'node' is not on PATH (used to pick free ports): run '. scripts/env.sh' first"

mkdir -p "$STATE"
exec 8>"$STATE/.lock"
flock -n 8 || die "another up.sh/down.sh is running on $STATE"

# ---- reuse a healthy cluster ---------------------------------------------------------------------------
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
pid_alive() { # pid_alive NAME: the recorded pid is running and is still our binary
  local f="$STATE/pids/$1.pid" pid exe
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"; [ -n "$pid" ] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  [ "$(basename "${exe% (deleted)}")" = "$1" ]
}
healthy() {
  local c
  for c in "${COMPONENTS[@]}"; do pid_alive "$c" || return 1; done
  [ -f "$STATE/kubeconfig" ] && [ -f "$STATE/env" ] || return 1
  # shellcheck disable=SC1091
  local API_PORT; API_PORT="$(sed -n 's/^API_PORT=//p' "$STATE/env")"
  curl -fsS --max-time 5 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" \
    "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1
}
if [ "${TOLLGATE_CLUSTER_FRESH:-0}" != 1 ] && healthy; then
  log "cluster in $STATE is running and healthy: reused"
  echo "reused" > "$STATE/last-up"
  echo "KUBECONFIG=$STATE/kubeconfig"
  exit 0
fi
if ls "$STATE/pids/"*.pid >/dev/null 2>&1; then
  log "stopping the previous (unhealthy or stale) cluster first"
  flock -u 8
  TOLLGATE_CLUSTER_DIR="$STATE" bash "$HERE/down.sh"
  flock -n 8 || die "another up.sh/down.sh is running on $STATE"
fi
rm -rf "$STATE/etcd-data" "$STATE/pids" "$STATE/env" "$STATE/last-up"
mkdir -p "$STATE/pids" "$STATE/logs" "$STATE/pki" "$STATE/kwok"
# rotate old logs so a post-mortem of the previous run is still possible
for f in "$STATE/logs/"*.log; do [ -f "$f" ] && mv -f "$f" "$f.prev"; done

# ---- certificates (made once, reused; the ports are not in them) ---------------------------------------
PKI="$STATE/pki"
gen_pki() {
  log "generating certificates in $PKI"
  local o=(-sha256 -days 3650)
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" "${o[@]}" \
    -subj "/CN=tollgate-e2e-ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  # leaf NAME SUBJECT EXTKEYUSAGE [SAN]
  leaf() {
    local ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$3"
    [ -n "${4:-}" ] && ext="$ext
subjectAltName=$4"
    openssl req -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "$2" 2>/dev/null
    openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
      -out "$PKI/$1.crt" "${o[@]}" -extfile <(echo "$ext") 2>/dev/null
    rm -f "$PKI/$1.csr"
  }
  leaf apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  leaf admin "/O=system:masters/CN=tollgate-admin" clientAuth
  leaf controller-manager "/CN=system:kube-controller-manager" clientAuth
  leaf scheduler "/CN=system:kube-scheduler" clientAuth
  leaf kwok "/O=system:masters/CN=kwok" clientAuth
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  chmod 600 "$PKI"/*.key
}
[ -f "$PKI/sa.pub" ] && [ -f "$PKI/kwok.crt" ] && openssl x509 -checkend 86400 -noout -in "$PKI/apiserver.crt" >/dev/null 2>&1 || gen_pki

# ---- free ports ----------------------------------------------------------------------------------------
# Ask the kernel for 6 free ports on 127.0.0.1 (held open together so they are distinct).
read -r ETCD_PORT ETCD_PEER_PORT API_PORT KCM_PORT SCHED_PORT KWOK_PORT < <(node -e '
const net = require("node:net");
const servers = Array.from({ length: 6 }, () => net.createServer());
Promise.all(servers.map((s) => new Promise((res, rej) => { s.once("error", rej); s.listen(0, "127.0.0.1", () => res(s.address().port)); })))
  .then((ports) => { console.log(ports.join(" ")); servers.forEach((s) => s.close()); });
')
[ -n "$KWOK_PORT" ] || die "could not pick free ports"
SERVER="https://127.0.0.1:$API_PORT"

kubeconfig() { # kubeconfig FILE USER
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: tollgate-e2e
  cluster:
    server: $SERVER
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    client-certificate: $PKI/$2.crt
    client-key: $PKI/$2.key
contexts:
- name: tollgate-e2e
  context:
    cluster: tollgate-e2e
    user: $2
current-context: tollgate-e2e
EOF
  chmod 600 "$1"
}
kubeconfig "$STATE/kubeconfig" admin
kubeconfig "$STATE/controller-manager.kubeconfig" controller-manager
kubeconfig "$STATE/scheduler.kubeconfig" scheduler
kubeconfig "$STATE/kwok.kubeconfig" kwok

# ---- process helpers -----------------------------------------------------------------------------------
start() { # start NAME BINARY ARGS...: background it in its own session, log to logs/NAME.log, record its pid
  local name="$1"; shift
  setsid "$@" > "$STATE/logs/$name.log" 2>&1 < /dev/null 8>&- &
  echo $! > "$STATE/pids/$name.pid"
}
on_fail() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    log "start-up failed; stopping what was started. Logs: $STATE/logs/"
    flock -u 8 || true
    TOLLGATE_CLUSTER_DIR="$STATE" bash "$HERE/down.sh" >&2 || true
  fi
}
trap on_fail EXIT
# wait_ready NAME URL [curl args...]: poll URL until HTTP 200 (bounded by $TIMEOUT); fail fast if the process died
wait_ready() {
  local name="$1" url="$2"; shift 2
  local deadline t
  deadline=$(( $(date +%s) + TIMEOUT )); t=$(now_ms)
  until curl -fsS --max-time 2 "$@" "$url" >/dev/null 2>&1; do
    pid_alive "$name" || { tail -n 30 "$STATE/logs/$name.log" >&2; die "$name exited during start-up (log: $STATE/logs/$name.log)"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -n 30 "$STATE/logs/$name.log" >&2; die "$name not ready after ${TIMEOUT}s at $url (log: $STATE/logs/$name.log)"; }
    sleep 0.2
  done
  log "$name ready in $(( $(now_ms) - t )) ms"
}
ADMIN_TLS=(--cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key")

# ---- etcd ----------------------------------------------------------------------------------------------
start etcd "$ETCD_BIN" --name=tollgate-e2e --data-dir="$STATE/etcd-data" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="tollgate-e2e=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync \
  --log-level=warn --quota-backend-bytes=$((2 * 1024 * 1024 * 1024))
wait_ready etcd "http://127.0.0.1:$ETCD_PORT/health"

# ---- kube-apiserver ------------------------------------------------------------------------------------
start kube-apiserver "$KUBE_BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --secure-port="$API_PORT" \
  --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" --cert-dir="$STATE/apiserver-certs" \
  --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --allow-privileged=true --profiling="${TOLLGATE_APISERVER_PROFILING:-false}" --v=1
wait_ready kube-apiserver "$SERVER/readyz" "${ADMIN_TLS[@]}"

# ---- kube-controller-manager and kube-scheduler --------------------------------------------------------
KCM_KC="$STATE/controller-manager.kubeconfig"
start kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
  --kubeconfig="$KCM_KC" --authentication-kubeconfig="$KCM_KC" --authorization-kubeconfig="$KCM_KC" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$STATE/controller-manager-certs" \
  --leader-elect=false --use-service-account-credentials=true \
  --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=false \
  --controllers='*' --profiling=false --v=1
SCHED_KC="$STATE/scheduler.kubeconfig"
start kube-scheduler "$KUBE_BIN/kube-scheduler" \
  --kubeconfig="$SCHED_KC" --authentication-kubeconfig="$SCHED_KC" --authorization-kubeconfig="$SCHED_KC" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --cert-dir="$STATE/scheduler-certs" \
  --leader-elect=false --profiling=false --v=1

# ---- kwok ----------------------------------------------------------------------------------------------
STAGES="$HERE/stages"
start kwok "$KWOK_BIN" --kubeconfig="$STATE/kwok.kubeconfig" \
  --config="$STAGES/node-initialize.yaml" --config="$STAGES/node-heartbeat-with-lease.yaml" \
  --config="$STAGES/pod-ready.yaml" --config="$STAGES/pod-complete.yaml" --config="$STAGES/pod-delete.yaml" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom \
  --node-lease-duration-seconds=40 --cidr="$POD_CIDR" --node-ip=127.0.0.1 \
  --server-address="127.0.0.1:$KWOK_PORT"

wait_ready kube-controller-manager "https://127.0.0.1:$KCM_PORT/healthz" -k
wait_ready kube-scheduler "https://127.0.0.1:$SCHED_PORT/healthz" -k
wait_ready kwok "http://127.0.0.1:$KWOK_PORT/healthz"

cat > "$STATE/env" <<EOF
# Written by e2e/cluster/up.sh; facts about the running cluster.
KUBECONFIG=$STATE/kubeconfig
SERVER=$SERVER
API_PORT=$API_PORT
ETCD_PORT=$ETCD_PORT
KCM_PORT=$KCM_PORT
SCHED_PORT=$SCHED_PORT
KWOK_PORT=$KWOK_PORT
KUBERNETES_VERSION=$KUBERNETES_VERSION
SERVICE_CIDR=$SERVICE_CIDR
EOF

kc() { "$KUBECTL" --kubeconfig="$STATE/kubeconfig" --request-timeout=30s "$@"; }

# ---- fake nodes ----------------------------------------------------------------------------------------
T_NODES=$(now_ms)
kc apply -f "$HERE/nodes.yaml" >/dev/null
# the API ignores status on create: write capacity/allocatable (incl. nvidia.com/gpu) through the status
# subresource; kwok's node-initialize stage keeps them and marks each node Ready
kc replace --subresource=status -f "$HERE/nodes.yaml" >/dev/null
kc wait --for=condition=Ready node --all --timeout="${TIMEOUT}s" >/dev/null \
  || die "fake nodes did not become Ready (kwok log: $STATE/logs/kwok.log)"
log "5 kwok nodes Ready in $(( $(now_ms) - T_NODES )) ms"

# The controller-manager is working once it has made the default ServiceAccount (pods need it).
deadline=$(( $(date +%s) + TIMEOUT ))
until kc get serviceaccount default -n default >/dev/null 2>&1; do
  [ "$(date +%s)" -lt "$deadline" ] || die "kube-controller-manager did not create ServiceAccount default/default within ${TIMEOUT}s (log: $STATE/logs/kube-controller-manager.log)"
  sleep 0.2
done

# ---- CRDs ----------------------------------------------------------------------------------------------
shopt -s nullglob
crds=("$REPO"/crds/*.yaml "$REPO"/crds/*.yml "$REPO"/crds/*.json)
shopt -u nullglob
if [ ${#crds[@]} -gt 0 ]; then
  T_CRD=$(now_ms)
  args=(); for f in "${crds[@]}"; do args+=(-f "$f"); done
  # A CRD the API server refuses is the CRD's bug, not the cluster's: say so loudly, keep the cluster up
  # (the CRD suite then fails with the server's message). TOLLGATE_CLUSTER_STRICT_CRDS=1 makes it fatal.
  if kc apply --server-side --force-conflicts --field-manager=tollgate-e2e "${args[@]}" > "$STATE/logs/crds.log" 2>&1 \
    && kc wait --for=condition=Established "${args[@]}" --timeout="${TIMEOUT}s" >> "$STATE/logs/crds.log" 2>&1; then
    log "${#crds[@]} CRD file(s) from crds/ installed and Established in $(( $(now_ms) - T_CRD )) ms"
    echo "CRDS=established" >> "$STATE/env"
  else
    echo "CRDS=failed" >> "$STATE/env"
    sed 's/^/up.sh:   /' "$STATE/logs/crds.log" | head -n 40 >&2
    [ "${TOLLGATE_CLUSTER_STRICT_CRDS:-0}" = 1 ] && die "the API server refused the CRDs in crds/ (full output: $STATE/logs/crds.log)"
    log "WARNING: the API server refused the CRDs in crds/ (above; full output: $STATE/logs/crds.log). The cluster is up without them."
  fi
else
  log "crds/ has no CRD files yet: none installed"
fi

trap - EXIT
echo "started" > "$STATE/last-up"
log "cluster up in $(( $(now_ms) - T0 )) ms: $SERVER (Kubernetes $KUBERNETES_VERSION)"
echo "KUBECONFIG=$STATE/kubeconfig"
