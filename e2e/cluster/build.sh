#!/usr/bin/env bash
# Builds (once) every binary the e2e harness needs, from Go modules, into a cache outside the clone:
#   $TOLLGATE_CACHE/bin/<component>-<version>/<binary>
# Components: kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl), etcd, kwok,
# llm-d-inference-sim, helm, kube-router (the NetworkPolicy enforcer of e2e/netpol). Versions come from e2e/versions.env. A component whose binaries are already
# in the cache is reused; a build goes to a temporary directory first and is moved into place only when it
# succeeded, so an interrupted build is never mistaken for a finished one.
#
# Usage: e2e/cluster/build.sh [component ...]     (default: all; e.g. `build.sh kubernetes etcd kwok`)
# Env:   TOLLGATE_CACHE   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/tollgate)
#        GOTOOLCHAIN      defaults to `local` (use the installed Go, never download a toolchain)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../versions.env
. "$HERE/../versions.env"
TOLLGATE_CACHE="${TOLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate}"
export TOLLGATE_CACHE
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false -trimpath"
export CGO_ENABLED=0

die() { echo "build.sh: ERROR: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }
# reports WANT CMD...: CMD's output (stdout+stderr) contains WANT. The output is read whole first: with pipefail,
# `cmd | grep -q` fails at random when grep exits on its match and cmd dies of SIGPIPE writing its next line.
reports() { local want="$1" out; shift; out="$("$@" 2>&1)" || true; [[ "$out" == *"$want"* ]]; }

ALL_COMPONENTS=(kubernetes etcd kwok llm-d-inference-sim helm kube-router)
KUBE_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

# ---- prerequisites ------------------------------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "'go' is not installed (need Go >= $GO_MIN_VERSION on PATH; e.g. from https://go.dev/dl, or Debian's golang-go plus GOTOOLCHAIN=go$GO_MIN_VERSION.0 to let the go command fetch a newer toolchain from the module proxy)"
go_have="$(go env GOVERSION 2>/dev/null || true)"   # e.g. go1.26.8
go_have="${go_have#go}"
ver_ge() { # ver_ge HAVE WANT: numeric compare of dotted versions
  local -a a b; local i
  IFS=. read -r -a a <<< "$1"; IFS=. read -r -a b <<< "$2"
  for i in 0 1 2; do
    local x="${a[i]:-0}" y="${b[i]:-0}"; x="${x%%[!0-9]*}"; y="${y%%[!0-9]*}"
    (( ${x:-0} > ${y:-0} )) && return 0
    (( ${x:-0} < ${y:-0} )) && return 1
  done
  return 0
}
ver_ge "$go_have" "$GO_MIN_VERSION" || die "Go $go_have is too old: need Go >= $GO_MIN_VERSION (kwok $KWOK_VERSION requires it). Install a newer Go, or set GOTOOLCHAIN=go$GO_MIN_VERSION.0 to let the go command fetch one from the module proxy."

mkdir -p "$TOLLGATE_CACHE/bin" "$TOLLGATE_CACHE/gomod" "$TOLLGATE_CACHE/tmp"
# one build at a time per cache (two clones may share it)
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TOLLGATE_CACHE/build.lock"
  flock -n 9 || { log "another build holds $TOLLGATE_CACHE/build.lock; waiting for it"; flock 9; }
fi
TMPDIRS=()
trap 'for d in "${TMPDIRS[@]}"; do rm -rf "$d"; done' EXIT
newtmp() { local d; d="$(mktemp -d "$TOLLGATE_CACHE/tmp/$1.XXXXXX")"; TMPDIRS+=("$d"); echo "$d"; }

bindir_of() { # bindir_of COMPONENT
  case "$1" in
    kubernetes) echo "$TOLLGATE_CACHE/bin/kubernetes-$KUBERNETES_VERSION" ;;
    etcd) echo "$TOLLGATE_CACHE/bin/etcd-$ETCD_VERSION" ;;
    kwok) echo "$TOLLGATE_CACHE/bin/kwok-$KWOK_VERSION" ;;
    llm-d-inference-sim) echo "$TOLLGATE_CACHE/bin/llm-d-inference-sim-$LLM_D_INFERENCE_SIM_VERSION" ;;
    helm) echo "$TOLLGATE_CACHE/bin/helm-$HELM_VERSION" ;;
    kube-router) echo "$TOLLGATE_CACHE/bin/kube-router-$KUBE_ROUTER_VERSION" ;;
    *) die "unknown component '$1' (known: ${ALL_COMPONENTS[*]})" ;;
  esac
}
binaries_of() {
  case "$1" in
    kubernetes) echo "${KUBE_BINARIES[*]}" ;;
    etcd) echo etcd ;;
    kwok) echo kwok ;;
    llm-d-inference-sim) echo llm-d-inference-sim ;;
    helm) echo helm ;;
    kube-router) echo kube-router ;;
  esac
}
is_built() { # all binaries of the component present and executable (and built by the current recipe)
  local dir; dir="$(bindir_of "$1")"; local b
  for b in $(binaries_of "$1"); do [ -x "$dir/$b" ] || return 1; done
  [ "$1" != llm-d-inference-sim ] || [ "$(cat "$dir/.tollgate-recipe" 2>/dev/null)" = "$SIM_RECIPE" ]
}
# install_dir TMPDIR COMPONENT: move a finished build into place atomically
install_dir() {
  local tmp="$1" dest; dest="$(bindir_of "$2")"
  local b; for b in $(binaries_of "$2"); do [ -x "$tmp/$b" ] || die "$2: build finished but $b is missing in $tmp"; done
  rm -rf "$dest.old"; [ -e "$dest" ] && mv "$dest" "$dest.old"
  chmod 755 "$tmp"; mv "$tmp" "$dest"; rm -rf "$dest.old"
}

# ---- kubernetes ---------------------------------------------------------------------------------------
# k8s.io/kubernetes replaces its staging modules with ./staging/src/k8s.io/*, so `go install` refuses it;
# a consumer module requires it and replaces each staging module with the published v0.<minor>.<patch>.
K8S_STAGING=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
  cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
  csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
  kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils
  pod-security-admission sample-apiserver sample-cli-plugin sample-controller)

build_kubernetes() {
  local v="$KUBERNETES_VERSION" staging="v0.${KUBERNETES_VERSION#v1.}"
  local mod="$TOLLGATE_CACHE/gomod/kubernetes-$v"
  mkdir -p "$mod"
  {
    echo "// Generated by e2e/cluster/build.sh: consumer module to build Kubernetes $v binaries."
    echo "module tollgate.local/e2e/kubernetes"
    echo
    echo "go 1.24.0"
    echo
    echo "godebug default=go1.24"
    echo
    echo "require k8s.io/kubernetes $v"
    echo
    echo "replace ("
    local m; for m in "${K8S_STAGING[@]}"; do echo "	k8s.io/$m => k8s.io/$m $staging"; done
    echo ")"
  } > "$mod/go.mod.new"
  {
    echo "//go:build tools"
    echo
    echo "package tools"
    echo
    echo "import ("
    local b; for b in "${KUBE_BINARIES[@]}"; do echo "	_ \"k8s.io/kubernetes/cmd/$b\""; done
    echo ")"
  } > "$mod/tools.go"
  # keep a tidied go.mod/go.sum when nothing changed (fast warm rebuilds after a cache wipe of bin/ only)
  if ! cmp -s "$mod/go.mod.new" "$mod/go.mod.in" 2>/dev/null || [ ! -f "$mod/go.sum" ]; then
    cp "$mod/go.mod.new" "$mod/go.mod"; cp "$mod/go.mod.new" "$mod/go.mod.in"; rm -f "$mod/go.sum"
    log "kubernetes: resolving modules (go mod tidy) in $mod"
    (cd "$mod" && go mod tidy) || die "kubernetes: 'go mod tidy' failed in $mod (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  fi
  rm -f "$mod/go.mod.new"
  local major="${v#v}"; major="${major%%.*}"
  local minor="${v#v*.}"; minor="${minor%%.*}"
  local pkg="k8s.io/component-base/version" cpkg="k8s.io/client-go/pkg/version" x=""
  local date; date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for p in "$pkg" "$cpkg"; do
    x="$x -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  local tmp; tmp="$(newtmp kubernetes)"
  local pkgs=(); local b; for b in "${KUBE_BINARIES[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  (cd "$mod" && go build -ldflags "-s -w$x" -o "$tmp/" "${pkgs[@]}") || die "kubernetes: go build failed (see output above)"
  reports "$v" "$tmp/kube-apiserver" --version || die "kubernetes: built kube-apiserver does not report $v"
  install_dir "$tmp" kubernetes
}

# ---- consumer modules ---------------------------------------------------------------------------------
# build_in_module COMPONENT MODULE VERSION PACKAGE BINARY: build PACKAGE (from MODULE@VERSION) in a generated
# consumer module under $TOLLGATE_CACHE/gomod/<component>-<version>. Used where `go install pkg@version` does
# not work: the module's go.mod has replace directives (etcd), or the proxy refuses the module's version list
# that `go install` reads for deprecation notices (llm-d-inference-sim: 403 on /@v/list here).
# With a 6th argument DIR (relative to the consumer module), MODULE is replaced by that local copy.
build_in_module() {
  local comp="$1" module="$2" v="$3" pkg="$4" bin="$5" replace="${6:-}"
  local mod="$TOLLGATE_CACHE/gomod/$comp-$v"
  mkdir -p "$mod"
  if [ ! -f "$mod/go.sum" ] || ! grep -q "$module $v" "$mod/go.mod" 2>/dev/null \
    || { [ -n "$replace" ] && ! grep -q "^replace $module => $replace\$" "$mod/go.mod"; }; then
    {
      echo "// Generated by e2e/cluster/build.sh: consumer module to build $pkg $v."
      echo "module tollgate.local/e2e/$comp"
      echo
      echo "go 1.24.0"
      echo
      echo "require $module $v"
      [ -z "$replace" ] || printf '\nreplace %s => %s\n' "$module" "$replace"
    } > "$mod/go.mod"
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > "$mod/tools.go"
    rm -f "$mod/go.sum"
    log "$comp: resolving modules (go mod tidy) in $mod"
    (cd "$mod" && go mod tidy) || die "$comp: 'go mod tidy' failed in $mod (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  fi
  local tmp; tmp="$(newtmp "$comp")"
  (cd "$mod" && go build -ldflags "-s -w" -o "$tmp/$bin" "$pkg") || die "$comp: go build of $pkg failed (see output above)"
  install_dir "$tmp" "$comp"
}

# etcd: the server's main package is the module root go.etcd.io/etcd/server/v3; its go.mod has replaces.
build_etcd() {
  build_in_module etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 etcd
  reports "${ETCD_VERSION#v}" "$(bindir_of etcd)/etcd" --version || die "etcd: built binary does not report ${ETCD_VERSION#v}"
}

# ---- go install components -----------------------------------------------------------------------------
go_install() { # go_install COMPONENT PACKAGE@VERSION [EXTRA_LDFLAGS]
  local tmp; tmp="$(newtmp "$1")"
  GOBIN="$tmp" go install -ldflags "-s -w${3:+ $3}" "$2" || die "$1: 'go install $2' failed"
  install_dir "$tmp" "$1"
}
build_kwok() { go_install kwok "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"; }
# llm-d-inference-sim: pure Go, builds with CGO_ENABLED=0 (no tokenizers library needed); run it with
# --force-dummy-tokenizer so it never fetches a tokenizer from a model hub. See e2e/README.md.
# Upstream hard-codes net.Listen("tcp4", ":<port>") (all interfaces, no flag). We build it from a copy of the
# module with one line patched so it binds 127.0.0.1 unless LLM_D_SIM_BIND_ADDRESS says otherwise
# (LLM_D_SIM_BIND_ADDRESS= , i.e. empty, restores upstream's all-interfaces behaviour).
SIM_RECIPE=loopback-1
build_llm-d-inference-sim() {
  local module=github.com/llm-d/llm-d-inference-sim v="$LLM_D_INFERENCE_SIM_VERSION"
  local mod="$TOLLGATE_CACHE/gomod/llm-d-inference-sim-$v" src
  src="$mod/src"
  if [ "$(cat "$src/.tollgate-recipe" 2>/dev/null)" != "$SIM_RECIPE" ]; then
    local dir
    dir="$(go mod download -json "$module@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$dir" ] || die "llm-d-inference-sim: 'go mod download $module@$v' gave no source directory"
    rm -rf "$src"; mkdir -p "$mod"; cp -R "$dir" "$src"; chmod -R u+w "$src"
    local f="$src/pkg/communication/http.go"
    sed -i 's|net.Listen("tcp4", fmt.Sprintf(":%d", c.simulator.Context.Config().Port))|net.Listen("tcp4", fmt.Sprintf("%s:%d", tollgateBindHost(), c.simulator.Context.Config().Port))|' "$f"
    grep -q 'tollgateBindHost()' "$f" || die "llm-d-inference-sim: the loopback patch no longer applies to $f (upstream changed; update build.sh)"
    cat > "$src/pkg/communication/zz_tollgate_bind.go" <<'GO'
// Added by Tollgate's e2e/cluster/build.sh: listen on 127.0.0.1 unless LLM_D_SIM_BIND_ADDRESS is set
// (set it to an empty value for upstream's all-interfaces behaviour).
package communication

import "os"

func tollgateBindHost() string {
	if v, ok := os.LookupEnv("LLM_D_SIM_BIND_ADDRESS"); ok {
		return v
	}
	return "127.0.0.1"
}
GO
    echo "$SIM_RECIPE" > "$src/.tollgate-recipe"
  fi
  build_in_module llm-d-inference-sim "$module" "$v" "$module/cmd/llm-d-inference-sim" llm-d-inference-sim ./src
  echo "$SIM_RECIPE" > "$(bindir_of llm-d-inference-sim)/.tollgate-recipe"
}
build_helm() {
  go_install helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  reports "$HELM_VERSION" "$(bindir_of helm)/helm" version --short || die "helm: built binary does not report $HELM_VERSION"
}

# kube-router: only its NetworkPolicy controller is used (--run-firewall, no router, no service proxy); it
# shells out to iptables / iptables-save / iptables-restore and ipset (Debian's packages, nf_tables backend).
# Pure Go: upstream's own Makefile builds it with CGO_ENABLED=0; the module has no replace directives.
build_kube-router() {
  go_install kube-router "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION" \
    "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
  reports "$KUBE_ROUTER_VERSION" "$(bindir_of kube-router)/kube-router" --version || die "kube-router: built binary does not report $KUBE_ROUTER_VERSION"
}

# ---- main ---------------------------------------------------------------------------------------------
components=("$@"); [ ${#components[@]} -gt 0 ] || components=("${ALL_COMPONENTS[@]}")
# shellcheck source=../build-lib.sh
. "$HERE/../build-lib.sh"
BUILD_HINT="Kubernetes takes 6-9 min cold on 2 cores, the rest 1-3 min each" build_components bindir_of "${components[@]}"
