#!/usr/bin/env bash
# Builds (once) the real inference engines the engine tests run, into the cache the Go tools share:
#   $TOLLGATE_CACHE/bin/llama-server-<llama-cpp-python version>/llama-server   (C++, CMake + g++, CPU only)
#   $TOLLGATE_CACHE/bin/ollama-<version>/ollama                                  (Go module, cgo)
#   $TOLLGATE_CACHE/venv/gguf-<version>/                                         (Python venv with `gguf`)
# Versions (and the sdist's sha256) come from e2e/versions.env. A component already in the cache is reused;
# a build happens in a temporary directory and is moved into place only when it succeeded. Builds are
# serialised per cache with flock (two clones or two helpers may share it) and run under `nice`.
#
# Usage: e2e/engines/build.sh [llama-server|ollama|gguf ...]   (default: all three)
# Env:   TOLLGATE_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/tollgate)
#        TOLLGATE_BUILD_JOBS  parallel compile jobs (default: nproc)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../versions.env
. "$HERE/../versions.env"
TOLLGATE_CACHE="${TOLLGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tollgate}"
export TOLLGATE_CACHE
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
JOBS="${TOLLGATE_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"

die() { echo "engines/build.sh: ERROR: $*" >&2; exit 1; }
log() { echo "engines/build.sh: $*" >&2; }

ALL_COMPONENTS=(llama-server ollama gguf)

mkdir -p "$TOLLGATE_CACHE/bin" "$TOLLGATE_CACHE/venv" "$TOLLGATE_CACHE/src" "$TOLLGATE_CACHE/tmp" "$TOLLGATE_CACHE/locks"
command -v flock >/dev/null 2>&1 || die "'flock' is not installed (util-linux)"
exec 8>"$TOLLGATE_CACHE/locks/engines-build.lock"
flock -n 8 || { log "another engine build holds $TOLLGATE_CACHE/locks/engines-build.lock; waiting for it"; flock 8; }
TMPDIRS=()
trap 'for d in "${TMPDIRS[@]}"; do rm -rf "$d"; done' EXIT
newtmp() { local d; d="$(mktemp -d "$TOLLGATE_CACHE/tmp/$1.XXXXXX")"; TMPDIRS+=("$d"); echo "$d"; }

dir_of() {
  case "$1" in
    llama-server) echo "$TOLLGATE_CACHE/bin/llama-server-$LLAMA_CPP_PYTHON_VERSION" ;;
    ollama) echo "$TOLLGATE_CACHE/bin/ollama-$OLLAMA_VERSION" ;;
    gguf) echo "$TOLLGATE_CACHE/venv/gguf-$GGUF_PY_VERSION" ;;
    *) die "unknown component '$1' (known: ${ALL_COMPONENTS[*]})" ;;
  esac
}
is_built() {
  local d; d="$(dir_of "$1")"
  case "$1" in
    llama-server) [ -x "$d/llama-server" ] ;;
    ollama) [ -x "$d/ollama" ] ;;
    gguf) [ -x "$d/bin/python" ] && [ -f "$d/.tollgate-ok" ] ;;
  esac
}
install_dir() { # install_dir TMPDIR DEST: move a finished build into place atomically
  local tmp="$1" dest="$2"
  rm -rf "$dest.old"; [ -e "$dest" ] && mv "$dest" "$dest.old"
  chmod 755 "$tmp"; mv "$tmp" "$dest"; rm -rf "$dest.old"
}

# The llama-cpp-python sdist (pinned version + sha256) in $TOLLGATE_CACHE/src; prints its path.
ensure_sdist() {
  local v="$LLAMA_CPP_PYTHON_VERSION" sdist="$TOLLGATE_CACHE/src/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION.tar.gz"
  if [ ! -f "$sdist" ] || ! echo "$LLAMA_CPP_PYTHON_SHA256  $sdist" | sha256sum -c --status -; then
    command -v python3 >/dev/null 2>&1 || die "'python3' is not installed (needed for 'pip download' of the llama.cpp sources)"
    local dl; dl="$(newtmp llama-sdist)"
    log "downloading the llama-cpp-python $v sdist (llama.cpp sources) from PyPI"
    python3 -m pip download --quiet --no-deps --no-binary :all: "llama-cpp-python==$v" -d "$dl" >&2 \
      || die "'pip download llama-cpp-python==$v' failed (is PyPI reachable?)"
    local got="$dl/llama_cpp_python-$v.tar.gz"
    [ -f "$got" ] || die "pip did not leave $got"
    echo "$LLAMA_CPP_PYTHON_SHA256  $got" | sha256sum -c --status - \
      || die "sha256 of $got is $(sha256sum "$got" | cut -d' ' -f1), versions.env pins $LLAMA_CPP_PYTHON_SHA256"
    mv "$got" "$sdist"; rm -rf "$dl"
  fi
  echo "$sdist"
}

# ---- llama-server ---------------------------------------------------------------------------------------
# The llama.cpp sources are vendored in the llama-cpp-python sdist on PyPI (pinned version + sha256).
# Only the llama-server target, CPU only, static libraries, no web UI (the prebuilt UI would be downloaded
# from a model hub at configure time: LLAMA_USE_PREBUILT_UI=OFF), no OpenSSL (the tests speak plain HTTP on
# 127.0.0.1), no -march=native (GGML_NATIVE=OFF: the cached binary runs on any x86-64 machine of the kind).
build_llama-server() {
  command -v cmake >/dev/null 2>&1 || die "'cmake' is not installed (apt-get install cmake)"
  command -v g++ >/dev/null 2>&1 || die "'g++' is not installed (apt-get install g++)"
  local v="$LLAMA_CPP_PYTHON_VERSION" sdist; sdist="$(ensure_sdist)"
  local tmp; tmp="$(newtmp llama-server)"
  tar -xzf "$sdist" -C "$tmp" "llama_cpp_python-$v/vendor/llama.cpp"
  local src="$tmp/llama_cpp_python-$v/vendor/llama.cpp" out; out="$(newtmp llama-server-out)"
  nice -n 10 cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DGGML_NATIVE=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_OPENMP=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF >/dev/null \
    || die "llama-server: cmake configure failed"
  nice -n 10 cmake --build "$tmp/build" --target llama-server -j "$JOBS" >"$tmp/build.log" 2>&1 \
    || { tail -40 "$tmp/build.log" >&2; die "llama-server: build failed (log above)"; }
  cp "$tmp/build/bin/llama-server" "$out/llama-server"
  "$out/llama-server" --version >/dev/null 2>&1 || die "llama-server: the built binary does not run (--version)"
  "$out/llama-server" --version 2>&1 | grep -m1 '^version' > "$out/VERSION" || true
  install_dir "$out" "$(dir_of llama-server)"
}

# ---- ollama ---------------------------------------------------------------------------------------------
# github.com/ollama/ollama from the Go module proxy. It needs cgo: its llama.cpp/ggml bindings (llama/ and
# ml/backend/ggml) are C/C++ compiled by `go build`; the CPU backend is compiled in the same way.
# Module zips never contain `vendor/` directories, so the four header-only libraries Ollama keeps in
# llama/llama.cpp/vendor/ (nlohmann/json, stb_image, miniaudio) are missing from the proxy's copy; they are
# put on the include path from the llama.cpp sources of the pinned llama-cpp-python sdist (nlohmann and stb
# byte-identical to Ollama v0.17.4's; miniaudio a different release of the same single-header library).
build_ollama() {
  command -v go >/dev/null 2>&1 || die "'go' is not installed"
  command -v gcc >/dev/null 2>&1 || die "'gcc' is not installed (Ollama needs cgo)"
  local module=github.com/ollama/ollama v="$OLLAMA_VERSION"
  local mod="$TOLLGATE_CACHE/gomod/ollama-$v"
  if [ ! -f "$mod/go.sum" ] || ! grep -q "$module $v" "$mod/go.mod" 2>/dev/null; then
    mkdir -p "$mod"
    printf '// Generated by e2e/engines/build.sh: consumer module to build ollama %s.\nmodule tollgate.local/e2e/ollama\n\ngo 1.24.0\n\nrequire %s %s\n' "$v" "$module" "$v" > "$mod/go.mod"
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$module" > "$mod/tools.go"
    rm -f "$mod/go.sum"
    log "ollama: resolving modules (go mod tidy) in $mod"
    (cd "$mod" && go mod tidy) || die "ollama: 'go mod tidy' failed in $mod (is the Go module proxy reachable?)"
  fi
  local sdist inc="$TOLLGATE_CACHE/src/llama-cpp-vendor-$LLAMA_CPP_PYTHON_VERSION"
  if [ ! -f "$inc/.tollgate-ok" ]; then
    sdist="$(ensure_sdist)"
    local x; x="$(newtmp llama-vendor)"
    tar -xzf "$sdist" -C "$x" "llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION/vendor/llama.cpp/vendor"
    rm -rf "$inc"; mv "$x/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION/vendor/llama.cpp/vendor" "$inc"; touch "$inc/.tollgate-ok"
    rm -rf "$x"
  fi
  local out; out="$(newtmp ollama)"
  (cd "$mod" && CGO_ENABLED=1 CGO_CPPFLAGS="-I$inc" nice -n 10 go build -p "$JOBS" -trimpath -buildvcs=false \
      -ldflags "-s -w -X=github.com/ollama/ollama/version.Version=${v#v}" -o "$out/ollama" "$module") \
    || die "ollama: go build failed (see output above)"
  "$out/ollama" --version >/dev/null 2>&1 || true
  install_dir "$out" "$(dir_of ollama)"
}

# ---- gguf (Python) --------------------------------------------------------------------------------------
# The tests write their tiny model with the `gguf` package (pinned), in a venv of its own.
build_gguf() {
  command -v python3 >/dev/null 2>&1 || die "'python3' is not installed"
  # a venv records its own absolute path, so it is built in place; the marker is written last
  local dest; dest="$(dir_of gguf)"
  rm -rf "$dest"
  python3 -m venv "$dest" || die "gguf: 'python3 -m venv' failed (apt-get install python3-venv)"
  "$dest/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps $GGUF_PY_PACKAGES \
    || die "gguf: 'pip install $GGUF_PY_PACKAGES' failed (is PyPI reachable?)"
  "$dest/bin/python" -c 'import gguf, numpy' || die "gguf: the venv cannot import gguf"
  touch "$dest/.tollgate-ok"
}

components=("$@"); [ ${#components[@]} -gt 0 ] || components=("${ALL_COMPONENTS[@]}")
# shellcheck source=../build-lib.sh
. "$HERE/../build-lib.sh"
build_components dir_of "${components[@]}"
