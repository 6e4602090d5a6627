#!/usr/bin/env bash
# Builds the Crateflow image from the unchanged Dockerfile without Docker or Docker Hub: Debian's buildah
# (vfs storage, chroot isolation: no daemon, no overlay or user namespaces needed) and a locally made
# stand-in for the Dockerfile's base image, node:20-bookworm-slim, from Debian's own mirror (debootstrap
# bookworm, minbase) plus this machine's Node 20 and npm. Only Debian's mirror and the npm registry are used.
#
#   sudo apt-get install buildah debootstrap
#   sudo tools/scripts/build-image-offline.sh            # → crateflow:local in buildah's storage
#   sudo buildah run $(buildah from crateflow:local) node --version
#
# The stand-in has the same layout as the official image where the Dockerfile depends on it (node and npm on
# PATH under /usr/local, a `node` user with uid/gid 1000, Debian bookworm with apt), so the build exercises
# every step of the Dockerfile. It is not the published image: its size differs by the difference between
# Debian minbase with the host's Node (235 MB) and the official base (about 200 MB): see docs/deploy.md.
# Environment: CRATEFLOW_IMAGE (tag, crateflow:local), WORK (scratch folder, /var/tmp/crateflow-image),
# DEBIAN_MIRROR (http://deb.debian.org/debian), STORAGE_DRIVER (vfs), KEEP_BASE=1 to reuse the bases made
# before (keeps the layer cache valid), BUILD_CA_BUNDLE (below).
set -euo pipefail

IMAGE=${CRATEFLOW_IMAGE:-crateflow:local}
WORK=${WORK:-/var/tmp/crateflow-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE=docker.io/library/node:20-bookworm-slim
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
REPO=$(cd "$(dirname "$0")/../.." && pwd)

[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and chroot isolation need it)" >&2; exit 1; }
for tool in buildah debootstrap node npm; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install buildah debootstrap; Node 20)" >&2; exit 1; }
done
case "$(node --version)" in v20.*) ;; *) echo "the host's node must be 20.x, as the Dockerfile's base" >&2; exit 1 ;; esac

DEBIAN=localhost/crateflow-build/debian:bookworm-minbase
have() { buildah inspect --type image "$1" >/dev/null 2>&1; }

if [ "${KEEP_BASE:-0}" = 1 ] && have "$DEBIAN"; then
  echo "reusing $DEBIAN"
else
  rootfs="$WORK/rootfs"
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR"
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  tar -C "$rootfs" -cf "$WORK/rootfs.tar" .
  ctr=$(buildah from --pull-never scratch)
  buildah add "$ctr" "$WORK/rootfs.tar" /
  buildah commit --rm "$ctr" "$DEBIAN"
  rm -rf "$rootfs" "$WORK/rootfs.tar"
fi

# The stand-in for node:20-bookworm-slim: Node and npm where the official image has them, a node user.
# KEEP_BASE=1 keeps a stand-in made before, so the build's layer cache stays valid.
if [ "${KEEP_BASE:-0}" = 1 ] && have "$BASE"; then
  echo "reusing $BASE"
else
  ctr=$(buildah from --pull-never "$DEBIAN")
  buildah copy "$ctr" "$(readlink -f "$(command -v node)")" /usr/local/bin/node
  buildah copy "$ctr" "$(npm root -g)/npm" /usr/local/lib/node_modules/npm
  buildah run --isolation chroot "$ctr" -- sh -c '
    chmod 0755 /usr/local/bin/node
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
    groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  # Behind a TLS-intercepting proxy (as on the machine this was written on) npm in the build must trust the
  # proxy's CA: BUILD_CA_BUNDLE (default: the host's NODE_EXTRA_CA_CERTS, if set) goes into the stand-in
  # base as NODE_EXTRA_CA_CERTS. The official base needs nothing of the sort; BUILD_CA_BUNDLE= leaves it out.
  ca=${BUILD_CA_BUNDLE-${NODE_EXTRA_CA_CERTS:-}}
  if [ -n "$ca" ]; then
    buildah copy "$ctr" "$ca" /etc/ssl/build-host-ca.pem
    buildah config --env NODE_EXTRA_CA_CERTS=/etc/ssl/build-host-ca.pem "$ctr"
  fi
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$ctr"
  buildah commit --rm "$ctr" "$BASE"
fi

# The Dockerfile, unchanged; --pull-never makes sure the base above is the one used. Docker's image format:
# OCI (buildah's default) has no HEALTHCHECK and would drop the Dockerfile's.
buildah bud --pull-never --isolation chroot --layers --format docker -t "$IMAGE" -f "$REPO/Dockerfile" "$REPO"
buildah images "$IMAGE"
