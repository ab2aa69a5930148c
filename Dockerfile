# syntax=docker/dockerfile:1.7
# The tollgate image: one entry point, the `tollgate` CLI (`tollgate operator`, `tollgate gateway`, ...),
# TypeScript run directly by Node 24's type stripping (no build step, no transpiled copy to drift).
#
#   docker build -t tollgate:dev .
#   docker run --rm tollgate:dev --help
#   docker run --rm -p 8080:8080 tollgate:dev demo --host 0.0.0.0
#
# Runs as uid/gid 65532 with a read-only root filesystem (the chart mounts an emptyDir on /tmp); writes
# nothing else at run time. Pin the base images by digest in CI:
#   --build-arg NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:<digest>

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# --- dependencies: production node_modules, native add-on (re2) compiled from source ----------------------
FROM ${NODE_IMAGE} AS deps
# re2 compiles a native add-on (node-gyp: python3, make, g++). Build stage only, nothing of it ships; the
# toolchain's versions follow the base image, which CI pins by digest.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Build re2 from its vendored sources rather than downloading a prebuilt binary; no dev dependencies;
# npm's cache goes away with the layer.
ENV RE2_DOWNLOAD_FORCE_BUILD=1
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && node -e "new (require('re2'))('a+').test('aa') || process.exit(1)"

# --- runtime ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="tollgate" \
      org.opencontainers.image.description="Kubernetes operator and LLM gateway: expose self-hosted LLMs to many teams safely" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# jemalloc for the operator (the chart preloads it there, `operator.jemalloc`; cli/commands/operator.ts
# OPERATOR_MALLOC_ENV): one fixed path whatever the architecture. The gateway keeps glibc's malloc.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "$(dpkg -L libjemalloc2 | grep '/libjemalloc\.so\.2$')" /usr/local/lib/libjemalloc.so.2 \
 && test -e /usr/local/lib/libjemalloc.so.2
WORKDIR /app
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
# Only what the CLI loads (bin -> cli/commands/* -> api, operator, gateway, guardrails); tests, e2e, bench,
# charts and docs stay out (.dockerignore). examples/ is small and makes `tollgate demo` work.
COPY --chown=0:0 package.json LICENSE ./
COPY --chown=0:0 bin ./bin
COPY --chown=0:0 cli ./cli
COPY --chown=0:0 api ./api
COPY --chown=0:0 kube ./kube
COPY --chown=0:0 operator ./operator
COPY --chown=0:0 gateway ./gateway
COPY --chown=0:0 guardrails ./guardrails
COPY --chown=0:0 examples ./examples
# Files owned by root and not writable by the runtime user; the process never needs to write here.
USER 65532:65532
# Operator: 8081 health, 8082 metrics. Gateway: 8080 tenants, 9090 admin (metrics, health).
EXPOSE 8080 8081 8082 9090
ENTRYPOINT ["node", "/app/bin/tollgate.ts"]
CMD ["help"]
