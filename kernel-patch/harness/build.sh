#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the user-space harness of sound/core/pcm_dmabuf.c as a shared library.
#
#   build.sh SERIES_DIR OUT_DIR [asan|coverage|asan-coverage]
#
# The code under test is taken from the patch series at build time: every
# patch of SERIES_DIR, in order, applied to an empty tree with only
# sound/core/pcm_dmabuf.[ch] included (new-file hunks need no kernel tree).
# "asan" builds with AddressSanitizer and UndefinedBehaviorSanitizer,
# "coverage" with gcov's arcs (harness.gcno beside the library; the process
# that loads it writes harness.gcda there as it exits, or under $GCOV_PREFIX),
# "asan-coverage" with both.  $HARNESS_CFLAGS, if set, is passed to the
# compiler as well (HarnessKcsanTextTest builds shim/linux/compiler_types.h's
# HARNESS_INSTRUMENT_ALL so).
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: build.sh SERIES_DIR OUT_DIR [asan|coverage|asan-coverage]" >&2
	exit 2
fi
case ${3:-plain} in
plain|asan|coverage|asan-coverage) ;;
*)	echo "build.sh: unknown variant ${3}: asan, coverage or asan-coverage" >&2
	exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$1" ]; then
	echo "build.sh: $1 is not a directory" >&2
	exit 2
fi
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
	# no git configuration of the user's or the system's (apply.whitespace=fix
	# would change the tree a kept build was keyed by)
	if ! why=$(cd "$src" && GIT_DIR=/nonexistent GIT_CONFIG_NOSYSTEM=1 \
		GIT_CONFIG_GLOBAL=/dev/null git apply \
		--include='sound/core/pcm_dmabuf.*' "$p" 2>&1); then
		echo "build.sh: $p does not apply: $(echo "$why" | head -n 1)" >&2
		exit 2
	fi
done
# a link would have the compiler read what it points to as the revision's code
link=$(find "$src" -type l -print -quit)
if [ -n "$link" ]; then
	echo "build.sh: the series makes ${link#"$src"/} a symbolic link: a revision's files must be regular files" >&2
	exit 2
fi
if [ $found = 0 ] || [ ! -f "$src/sound/core/pcm_dmabuf.c" ]; then
	echo "build.sh: no patch in $series creates sound/core/pcm_dmabuf.c" >&2
	exit 2
fi

# The uAPI revision the series implements (docs/spec.md section 1), told by
# its uAPI patch: revision 2 declares struct snd_pcm_dmabuf_export in
# include/uapi/sound/asound.h, revision 1 the bare-int ioctls.  The shims
# declare both (shim/sound/pcm.h); HARNESS_UAPI_REV picks one, and
# harness.c drives the ioctls with the argument that revision takes.
rev=1
if cat "$series"/*.patch | grep -q '^+struct snd_pcm_dmabuf_export {'; then
	rev=2
fi
echo "$rev" >"$out/uapi-revision-$variant"

# Revisions 1 to 3 hold runtime->buffer_mutex around the whole ioctl (their
# pcm_native.c wrapper); from revision 4 pcm_dmabuf.c takes it itself,
# after copying its argument (HARNESS_IOCTL_LOCKS, harness.c dmabuf_ioctl()).
ioctl_locks=0
if grep -q 'snd_pcm_buffer_access_lock(' "$src/sound/core/pcm_dmabuf.c"; then
	ioctl_locks=1
fi

cflags="-std=gnu11 -O1 -g -fPIC -Wall -Wextra -Werror -Wno-unused-parameter -DHARNESS_UAPI_REV=$rev -DHARNESS_IOCTL_LOCKS=$ioctl_locks ${HARNESS_CFLAGS:-}"
# A revision whose drivers may state that their CPU moves the data of a
# device with a DMA mask declares the cap in include/sound/pcm.h, which the
# harness does not build (shim/sound/pcm.h): its value is passed on, and
# harness.c's simulated driver passes it for such a device (mover=cpu).
no_device_dma=$(cat "$series"/*.patch |
	sed -n 's/^+#define[[:space:]]\{1,\}SNDRV_PCM_DMABUF_NO_DEVICE_DMA[[:space:]]\{1,\}\([^/]*\).*/\1/p' |
	head -n 1 | tr -d ' \t')
if [ -n "$no_device_dma" ]; then
	cflags="$cflags -DSNDRV_PCM_DMABUF_NO_DEVICE_DMA=$no_device_dma"
fi
lib="$out/libpcmdmabuf-harness.so"
# The data race detector (shim/src/kernel/kcsan/core.c): the compiler's
# ThreadSanitizer instrumentation, without its runtime, as the kernel's
# KCSAN: compiled with these, linked without them (else libtsan comes
# with); functions in source order, so that pcm_dmabuf.c's code lies
# between harness.c's markers.  ASan cannot be combined with it, and gcov's
# counters, plain stores of every task, would be its races: the plain
# library only.
kcsan=
case $variant in plain)
	kcsan="-fsanitize=thread --param tsan-instrument-func-entry-exit=0 --param tsan-distinguish-volatile=1 -fno-toplevel-reorder" ;;
esac
# The build's folders leave the library (debug information, __FILE__): a
# build pcmsim validate keeps and reuses by content (its HarnessBuilds)
# then names its files as a fresh one does.  gcov's builds keep them: its
# notes name the sources gcov reads.
case $variant in *coverage*) ;;
*)	cflags="$cflags -ffile-prefix-map=$src/= -ffile-prefix-map=$here/=kernel-patch/harness/"
	# the compiler's working folder is in the debug information too
	cd / ;;
esac
case $variant in *asan*)
	cflags="$cflags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
	lib="$out/libpcmdmabuf-harness-asan.so" ;;
esac
case $variant in *coverage*)
	# -O0: every line of the revision keeps its own blocks, so a line gcov
	# reports unreached is one no test reached, not one the optimizer merged
	cflags="$(echo "$cflags" | sed 's/-O1/-O0/') --coverage"
	lib="$out/libpcmdmabuf-harness-$variant.so"
	# compiled apart from the link: the notes file is then harness.gcno,
	# next to harness.o, whatever the library is called
	rm -f "$out/harness.gcno" "$out/harness.gcda"
	# shellcheck disable=SC2086
	cc $cflags $kcsan -c -I"$here/shim" -I"$src/sound/core" -I"$here" \
		-o "$out/harness.o" "$here/harness.c"
	# shellcheck disable=SC2086
	cc $cflags -shared -o "$lib" "$out/harness.o" ;;
*)	# shellcheck disable=SC2086
	cc $cflags $kcsan -c -I"$here/shim" -I"$src/sound/core" -I"$here" \
		-o "$src/harness.o" "$here/harness.c"
	# shellcheck disable=SC2086
	cc $cflags -shared -o "$lib" "$src/harness.o" ;;
esac

case $variant in *asan*)
	# A JVM loading the sanitized library needs the ASan runtime first in
	# line; the JVM's own SIGSEGV handling (implicit null checks) stays its own.
	mkdir -p "$out/asan-jvm/bin"
	cat >"$out/asan-jvm/bin/java" <<-WRAPPER
	#!/bin/sh
	# Generated by kernel-patch/harness/build.sh: runs \$HARNESS_JAVA with ASan preloaded.
	export LD_PRELOAD="$(cc -print-file-name=libasan.so)"
	# the caller's ASAN_OPTIONS last, so the sandbox's memory limit holds
	export ASAN_OPTIONS="handle_segv=0:allow_user_segv_handler=1:detect_leaks=0:abort_on_error=1\${ASAN_OPTIONS:+:\$ASAN_OPTIONS}"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
	exec "\$HARNESS_JAVA" "\$@"
	WRAPPER
	chmod +x "$out/asan-jvm/bin/java" ;;
esac
