#!/usr/bin/env bash
# Builds a local stand-in for node:20-bookworm-slim where no image registry can be reached:
# Debian bookworm (minbase, from Debian's own packages via debootstrap) plus this machine's
# Node.js 20 and npm, with the `node` user (uid 1000) the official image has. deploy/Dockerfile
# then builds on it unchanged:
#   buildah bud --isolation chroot --build-arg NODE_IMAGE=localhost/node-bookworm-local:20 -f deploy/Dockerfile .
# Needs root, debootstrap and buildah. The official image remains what a Docker user builds on.
set -euo pipefail
TAG=${TAG:-localhost/node-bookworm-local:20}
WORK=${WORK:-$(mktemp -d /tmp/node-base-XXXXXX)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
NODE_BIN=$(command -v node)
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
case "$(node -p process.versions.node)" in 20.*) ;; *) echo "this machine's node is not 20.x; the image is node 20" >&2; exit 1 ;; esac

ROOTFS="$WORK/rootfs"
if [ ! -x "$ROOTFS/bin/sh" ]; then
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"
fi
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
install -m 0755 "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
rm -rf "$ROOTFS/usr/local/lib/node_modules/npm"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
if ! grep -q '^node:' "$ROOTFS/etc/passwd"; then
  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
fi
# npm needs CA certificates to reach the registry from inside the build; this machine's, which
# may include a proxy's own CA, so the image's npm trusts what the host's npm trusts.
mkdir -p "$ROOTFS/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"

ctr=$(buildah from scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
mnt=$(buildah mount "$ctr")
cp -a "$ROOTFS"/. "$mnt"/
buildah umount "$ctr" >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env NODE_VERSION="$(node -p process.versions.node)" \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --cmd node "$ctr"
buildah commit --rm "$ctr" "$TAG"
trap - EXIT
echo "built $TAG from $ROOTFS"
