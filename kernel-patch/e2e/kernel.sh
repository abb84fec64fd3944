#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh - build (or reuse) the patched x86_64 kernel the end-to-end run boots.
#
#   kernel.sh [-j JOBS]   prints the path of the bzImage on its last stdout line
#
# Source: a patched copy of Debian's linux-source-6.12 made by
# ../scripts/kernel-tree.sh, kept under $CACHE/e2e/ and remade only when the
# series changes (so a warm build recompiles nothing).  Config: make
# ARCH=x86_64 tinyconfig + ../config/pcm-dmabuf.config (every option built in:
# ALSA, snd-dummy, snd-aloop, snd-pcmtest, Intel HDA + generic codec,
# DMA_SHARED_BUFFER, virtio-pci, 9p, devtmpfs).  Also installs the patched
# uAPI headers into $BUILD/headers for the guest programs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
CACHE=${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}
JOBS=${JOBS:-2}
[ "${1:-}" = -j ] && { JOBS=$2; shift 2; }
FRAGMENT=$KP/config/pcm-dmabuf.config
SERIES=${SERIES_DIR:-$KP/series}
export PCM_DMABUF_CACHE=$CACHE SERIES_DIR=$SERIES

log() { echo "kernel.sh: $*" >&2; }

# the source first: the version names the cache directories, and is unknown until the package is installed
"$KP/scripts/kernel-tree.sh" pristine >/dev/null
VERSION=$("$KP/scripts/kernel-tree.sh" version | tr '~:+' '___')
[ -n "$VERSION" ] || VERSION=unknown
E2E=$CACHE/e2e
TREE=$E2E/linux-$VERSION
BUILD=$E2E/build-$VERSION
mkdir -p "$E2E"

series_key=$(cat "$SERIES"/[0-9][0-9][0-9][0-9]-*.patch | sha256sum | cut -c1-16)
config_key=$(cat "$FRAGMENT" | sha256sum | cut -c1-16)

# the patched tree, remade only when the series changes
if [ "$(cat "$TREE/.pcm-dmabuf-series" 2>/dev/null)" != "$series_key" ]; then
	log "patching a fresh tree $TREE"
	"$KP/scripts/kernel-tree.sh" patched "$TREE" >/dev/null
	echo "$series_key" >"$TREE/.pcm-dmabuf-series"
fi

# configure, redone when the fragment or the series changes
want="$config_key-$series_key"
if [ "$(cat "$BUILD/.pcm-dmabuf-config" 2>/dev/null)" != "$want" ]; then
	log "configuring $BUILD (tinyconfig + $(basename "$FRAGMENT"))"
	rm -rf "$BUILD"
	mkdir -p "$BUILD"
	make -s -C "$TREE" ARCH=x86_64 O="$BUILD" tinyconfig >/dev/null
	(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$BUILD" "$BUILD/.config" "$FRAGMENT") \
		>"$BUILD/merge_config.log" 2>&1 || { cat "$BUILD/merge_config.log" >&2; exit 1; }
	make -s -C "$TREE" ARCH=x86_64 O="$BUILD" olddefconfig >/dev/null
	for opt in SND_PCM_DMABUF SND_DUMMY SND_ALOOP SND_PCMTEST SND_HDA_INTEL SND_HDA_GENERIC \
		DMA_SHARED_BUFFER VIRTIO_PCI 9P_FS NET_9P_VIRTIO DEVTMPFS; do
		grep -q "^CONFIG_$opt=y" "$BUILD/.config" || { log "CONFIG_$opt is not =y"; exit 1; }
	done
	echo "$want" >"$BUILD/.pcm-dmabuf-config"
fi

t0=$(date +%s)
log "make -j$JOBS bzImage in $BUILD"
make -C "$TREE" ARCH=x86_64 O="$BUILD" -j"$JOBS" bzImage >"$BUILD/build.log" 2>&1 ||
	{ tail -30 "$BUILD/build.log" >&2; log "kernel build failed (log $BUILD/build.log)"; exit 1; }
if [ ! -f "$BUILD/headers/include/sound/asound.h" ] ||
	[ "$BUILD/headers/include/sound/asound.h" -ot "$TREE/include/uapi/sound/asound.h" ]; then
	make -s -C "$TREE" ARCH=x86_64 O="$BUILD" INSTALL_HDR_PATH="$BUILD/headers" headers_install
fi
log "kernel ready in $(($(date +%s) - t0)) s"
echo "$BUILD/arch/x86/boot/bzImage"
