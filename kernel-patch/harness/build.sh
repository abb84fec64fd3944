#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the user-space harness of sound/core/pcm_dmabuf.c as a shared library.
#
#   build.sh SERIES_DIR OUT_DIR [asan]
#
# The code under test is taken from the patch series at build time: every
# patch of SERIES_DIR, in order, applied to an empty tree with only
# sound/core/pcm_dmabuf.[ch] included (new-file hunks need no kernel tree).
# "asan" builds with AddressSanitizer and UndefinedBehaviorSanitizer.
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: build.sh SERIES_DIR OUT_DIR [asan]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
series=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
variant=${3:-plain}

src="$out/src-$variant"
rm -rf "$src"
mkdir -p "$src"
found=0
for p in "$series"/*.patch; do
	[ -e "$p" ] || continue
	# the cover letter has no diff
	grep -q '^diff --git' "$p" || continue
	found=1
	# GIT_DIR: apply relative to $src even when it lies in a git work tree
	if ! (cd "$src" && GIT_DIR=/nonexistent git apply \
		--include='sound/core/pcm_dmabuf.*' "$p"); then
		echo "build.sh: $p does not apply" >&2
		exit 2
	fi
done
if [ $found = 0 ] || [ ! -f "$src/sound/core/pcm_dmabuf.c" ]; then
	echo "build.sh: no patch in $series creates sound/core/pcm_dmabuf.c" >&2
	exit 2
fi

cflags="-std=gnu11 -O1 -g -fPIC -Wall -Wextra -Werror -Wno-unused-parameter"
lib="$out/libpcmdmabuf-harness.so"
if [ "$variant" = asan ]; then
	cflags="$cflags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
	lib="$out/libpcmdmabuf-harness-asan.so"
fi
# shellcheck disable=SC2086
cc $cflags -shared -I"$here/shim" -I"$src/sound/core" -I"$here" \
	-o "$lib" "$here/harness.c"
