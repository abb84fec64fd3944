#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh - build (or reuse) the patched x86_64 kernel the end-to-end boots run.
#
#   kernel.sh [-j JOBS] [--with-off]   prints the path of the bzImage on its last stdout line
#
# --with-off: also the same kernel without CONFIG_SND_PCM_DMABUF (the e2e boot
# "off": the kselftest must skip as a whole there), printed as "option-off: PATH"
# on the line before.  Its build directory ($CACHE/e2e/kernel/build-off-<version>)
# starts as a copy of the option-on one and is always built seen at the option-on
# one's path (bwrap binds it there): objtool's build records absolute output
# paths, and under another path it is rebuilt, and with it every object.  So its
# first build, like every later one, recompiles only what the option reaches
# (the sound drivers, which include <sound/pcm.h>) and links.
#
# One kernel per series revision, built incrementally: the patched tree
# ($CACHE/e2e/kernel/linux-<version>) is a hard-link copy of the pristine one
# (../scripts/kernel-tree.sh) with the series applied; when the series changes
# it is made again beside the old one and every file the old or the new series
# touches whose content did not change gets its old modification time back,
# so that make, in the same O= directory ($CACHE/e2e/kernel/build-<version>),
# rebuilds only what the change reaches.  Config: make ARCH=x86_64 tinyconfig
# + ../config/pcm-dmabuf.config + ../config/e2e-debug.config (KASAN, lockdep,
# DMA-API debug, DMABUF_DEBUG, the Intel IOMMU, KUnit with the series' suite),
# generated aside when the fragments or the series' Kconfig changes and copied
# over the build's .config only when it differs.
# Also installs the patched uAPI headers into $BUILD/headers for the guest
# programs.  JOBS defaults to 2; the build runs under nice.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
CACHE=${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}
JOBS=${JOBS:-2}
WITH_OFF=
while [ $# -gt 0 ]; do
	case $1 in
	-j) JOBS=$2; shift 2 ;;
	--with-off) WITH_OFF=1; shift ;;
	*) echo "usage: kernel.sh [-j JOBS] [--with-off]" >&2; exit 2 ;;
	esac
done
FRAGMENTS=("$KP/config/pcm-dmabuf.config" "$KP/config/e2e-debug.config")
SERIES=${SERIES_DIR:-$KP/series}
export PCM_DMABUF_CACHE=$CACHE SERIES_DIR=$SERIES

log() { echo "kernel.sh: $*" >&2; }

# the source first: the version names the cache directories, and is unknown until the package is installed
"$KP/scripts/kernel-tree.sh" pristine >/dev/null
VERSION=$("$KP/scripts/kernel-tree.sh" version | tr '~:+' '___')
[ -n "$VERSION" ] || VERSION=unknown
K=${PCM_DMABUF_E2E_KERNEL_DIR:-$CACHE/e2e/kernel}
TREE=$K/linux-$VERSION
BUILD=$K/build-$VERSION
mkdir -p "$K" "$BUILD"
# one build at a time: another would re-patch the tree under this one
exec 9>"$K/.lock"
flock -n 9 || { log "waiting for the other kernel.sh on $K"; flock 9; }

patches=("$SERIES"/[0-9][0-9][0-9][0-9]-*.patch)
series_key=$(cat "${patches[@]}" | sha256sum | cut -c1-16)

# the files a series creates or changes (a patch's "+++ b/PATH" lines)
series_files() { sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$@" | sort -u; }

# the patched tree, made again only when the series changes
if [ "$(cat "$TREE/.pcm-dmabuf-series" 2>/dev/null)" != "$series_key" ]; then
	new=$K/.linux-new
	log "patching $new"
	rm -rf "$new"
	"$KP/scripts/kernel-tree.sh" patched "$new" >/dev/null
	series_files "${patches[@]}" >"$new/.pcm-dmabuf-files"
	if [ -f "$TREE/.pcm-dmabuf-files" ]; then
		kept=0 changed=0
		while read -r f; do
			if [ -f "$TREE/$f" ] && [ -f "$new/$f" ] && cmp -s "$TREE/$f" "$new/$f"; then
				# unchanged: the old time, unless it is a link into the pristine
				# tree (the old series did not touch it either; its time is right)
				[ "$(stat -c %h "$new/$f")" -gt 1 ] || touch -r "$TREE/$f" "$new/$f"
				kept=$((kept + 1))
			elif [ -f "$new/$f" ] && [ "$(stat -c %h "$new/$f")" -gt 1 ]; then
				# the old series changed it, the new one leaves it pristine:
				# an own copy with a new time (the pristine inode is never touched)
				cp -p "$new/$f" "$new/$f.pcm-dmabuf-tmp"
				mv "$new/$f.pcm-dmabuf-tmp" "$new/$f"
				touch "$new/$f"
				changed=$((changed + 1))
			else
				changed=$((changed + 1))
			fi
		done < <(sort -u "$TREE/.pcm-dmabuf-files" "$new/.pcm-dmabuf-files")
		log "series changed: $changed file(s) differ, $kept kept their time"
	fi
	# same path as before: the build directory names its source tree
	rm -rf "$TREE"
	mv "$new" "$TREE"
	echo "$series_key" >"$TREE/.pcm-dmabuf-series"
fi

# the config, generated aside when the fragments or a Kconfig file the series
# touches change (a series change elsewhere leaves it as it is), copied over
# the build's only when it differs (make then rebuilds what it reaches)
want=$({
	cat "${FRAGMENTS[@]}"
	grep -E '(^|/)Kconfig[^/]*$' "$TREE/.pcm-dmabuf-files" | while read -r f; do
		echo "$f"
		cat "$TREE/$f" 2>/dev/null
	done
} | sha256sum | cut -c1-16)
if [ "$(cat "$BUILD/.pcm-dmabuf-config" 2>/dev/null)" != "$want" ]; then
	gen=$K/config-gen
	log "configuring (tinyconfig + $(for f in "${FRAGMENTS[@]}"; do basename "$f"; done | paste -sd+))"
	rm -rf "$gen"
	mkdir -p "$gen"
	make -s -C "$TREE" ARCH=x86_64 O="$gen" tinyconfig >/dev/null
	(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$gen" "$gen/.config" "${FRAGMENTS[@]}") \
		>"$gen/merge_config.log" 2>&1 || { cat "$gen/merge_config.log" >&2; exit 1; }
	make -s -C "$TREE" ARCH=x86_64 O="$gen" olddefconfig >/dev/null
	for opt in SND_PCM_DMABUF SND_DUMMY SND_ALOOP SND_PCMTEST SND_HDA_INTEL SND_HDA_GENERIC \
		DMA_SHARED_BUFFER VIRTIO_PCI 9P_FS NET_9P_VIRTIO DEVTMPFS KASAN KASAN_GENERIC \
		PROVE_LOCKING DMA_API_DEBUG DMABUF_DEBUG INTEL_IOMMU IOMMU_DMA KUNIT \
		SND_PCM_DMABUF_KUNIT_TEST; do
		# a revision without the KUnit patch (known-bad/v1) has no suite to build: its boots report so
		if [ "$opt" = SND_PCM_DMABUF_KUNIT_TEST ] &&
			! grep -q '^config SND_PCM_DMABUF_KUNIT_TEST' "$TREE/sound/core/Kconfig"; then
			log "this series has no KUnit suite (no SND_PCM_DMABUF_KUNIT_TEST)"
			continue
		fi
		grep -q "^CONFIG_$opt=y" "$gen/.config" || { log "CONFIG_$opt is not =y"; exit 1; }
	done
	if ! cmp -s "$gen/.config" "$BUILD/.config"; then
		cp "$gen/.config" "$BUILD/.config"
		make -s -C "$TREE" ARCH=x86_64 O="$BUILD" olddefconfig >/dev/null
	fi
	echo "$want" >"$BUILD/.pcm-dmabuf-config"
fi

# build_kernel DIR [RUN...]: make bzImage in $BUILD, incrementally, run by RUN
# (the option-off build: DIR bound over $BUILD); its log in DIR/build.log
build_kernel() {
	local t0 dir=$1
	shift
	t0=$(date +%s)
	log "make -j$JOBS bzImage in $dir"
	"$@" nice -n 10 make -C "$TREE" ARCH=x86_64 O="$BUILD" -j"$JOBS" bzImage >"$dir/build.log" 2>&1 ||
		{ tail -30 "$dir/build.log" >&2; log "kernel build failed (log $dir/build.log)"; exit 1; }
	# the objects make compiled this time (for the incremental check)
	log "compiled $(grep -c '^  CC ' "$dir/build.log" || true) C file(s), kernel ready in $(($(date +%s) - t0)) s"
}
build_kernel "$BUILD"
if [ ! -f "$BUILD/headers/include/sound/asound.h" ] ||
	[ "$BUILD/headers/include/sound/asound.h" -ot "$TREE/include/uapi/sound/asound.h" ]; then
	make -s -C "$TREE" ARCH=x86_64 O="$BUILD" INSTALL_HDR_PATH="$BUILD/headers" headers_install
fi

if [ -n "$WITH_OFF" ]; then
	OFF=$K/build-off-$VERSION
	command -v bwrap >/dev/null || { log "--with-off needs bwrap (bubblewrap)"; exit 1; }
	as_on=(bwrap --dev-bind / / --bind "$OFF" "$BUILD" --)
	if [ ! -f "$OFF/.config" ]; then
		log "seeding $OFF from $BUILD: the option-off kernel recompiles only what the option reaches"
		rm -rf "$OFF" "$OFF.new"
		cp -a "$BUILD" "$OFF.new"
		rm -rf "$OFF.new/headers"
		mv "$OFF.new" "$OFF"
	fi
	# the option-on config with the option (and the KUnit suite that depends on it) off
	gen=$K/config-gen-off
	rm -rf "$gen"
	mkdir -p "$gen"
	cp "$BUILD/.config" "$gen/.config"
	"$TREE/scripts/config" --file "$gen/.config" --disable SND_PCM_DMABUF --disable SND_PCM_DMABUF_KUNIT_TEST
	make -s -C "$TREE" ARCH=x86_64 O="$gen" olddefconfig >/dev/null
	grep -q '^# CONFIG_SND_PCM_DMABUF is not set' "$gen/.config" ||
		{ log "the option-off config still has CONFIG_SND_PCM_DMABUF"; exit 1; }
	for opt in SND_DUMMY DEVTMPFS 9P_FS KASAN PROVE_LOCKING; do
		grep -q "^CONFIG_$opt=y" "$gen/.config" || { log "option-off config: CONFIG_$opt is not =y"; exit 1; }
	done
	if ! cmp -s "$gen/.config" "$OFF/.config"; then
		cp "$gen/.config" "$OFF/.config"
		"${as_on[@]}" make -s -C "$TREE" ARCH=x86_64 O="$BUILD" olddefconfig >/dev/null
	fi
	build_kernel "$OFF" "${as_on[@]}"
	echo "option-off: $OFF/arch/x86/boot/bzImage"
fi
echo "$BUILD/arch/x86/boot/bzImage"
