#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uml-kselftest.sh - run the series' kselftest on a real kernel without KVM or
# QEMU: User-Mode Linux (ARCH=um) built from the patched 6.12 tree of
# check.sh, the host root shared read-only-in-spirit over hostfs, snd-dummy
# (fake_buffer=0) and snd-aloop built in, lockdep on.  Two kernels: with
# CONFIG_SND_PCM_DMABUF (the test on both cards, then the unbind/rebind test
# on snd_dummy.0) and without it (the test must skip as a whole: exit status
# 4 and the KTAP plan "1..0 # SKIP").
#
#   uml-kselftest.sh [-j JOBS] [--work NAME]
#
# Needs a check.sh run of the same --work name first (the patched tree and
# the installed headers).  Cold: about 20 minutes on 2 cores (the UML kernel);
# the option-off kernel is an incremental rebuild.  Prints one line per run
# and exits 0 when every run ended as expected.  Logs and TAP output:
# $PCM_DMABUF_CACHE/uml-<work>/.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}
JOBS=2
WORK=patched
while [ $# -gt 0 ]; do
	case $1 in
	-j) JOBS=$2; shift 2 ;;
	--work) WORK=$2; shift 2 ;;
	*) echo "usage: uml-kselftest.sh [-j JOBS] [--work NAME]" >&2; exit 2 ;;
	esac
done
VERSION=$("$HERE/kernel-tree.sh" version | tr '~:+' '___')
SRC=$CACHE/trees/$WORK-$VERSION
HDR=$CACHE/build/$VERSION/$WORK-headers
OUT=$CACHE/uml-$WORK
[ -f "$SRC/sound/core/pcm_dmabuf.c" ] && [ -d "$HDR/include" ] ||
	{ echo "uml-kselftest.sh: run check.sh --work $WORK first" >&2; exit 2; }
mkdir -p "$OUT"

# the test, against the patched headers
gcc -Wall -Wextra -Wno-unused-parameter -Werror -isystem "$HDR/include" \
	-o "$OUT/pcm-dmabuf-test" "$SRC/tools/testing/selftests/alsa/pcm-dmabuf-test.c" || exit 1

# configure OPTION(y|n): UML defconfig + ALSA (HAS_IOMEM through PCI over virtio) + the test's needs
configure() {
	local b=$OUT/build frag=$OUT/uml.config
	cat >"$frag" <<-EOF
	CONFIG_VIRTIO_UML=y
	CONFIG_UML_PCI_OVER_VIRTIO=y
	CONFIG_UML_PCI_OVER_VIRTIO_DEVICE_ID=0
	CONFIG_SOUND=y
	CONFIG_SND=y
	CONFIG_SND_DRIVERS=y
	CONFIG_SND_DUMMY=y
	CONFIG_SND_ALOOP=y
	CONFIG_DMA_SHARED_BUFFER=y
	CONFIG_DMABUF_HEAPS=y
	CONFIG_DMABUF_HEAPS_SYSTEM=y
	CONFIG_HOSTFS=y
	CONFIG_DEVTMPFS=y
	CONFIG_DEVTMPFS_MOUNT=y
	CONFIG_DEBUG_KERNEL=y
	CONFIG_PROVE_LOCKING=y
	EOF
	if [ "$1" = y ]; then
		echo "CONFIG_SND_PCM_DMABUF=y" >>"$frag"
	else
		echo "# CONFIG_SND_PCM_DMABUF is not set" >>"$frag"
	fi
	mkdir -p "$b"
	[ -f "$b/.config" ] || make -s -C "$SRC" ARCH=um O="$b" defconfig || return 1
	(cd "$SRC" && scripts/kconfig/merge_config.sh -m -O "$b" "$b/.config" "$frag") >"$OUT/merge.log" 2>&1 ||
		return 1
	make -s -C "$SRC" ARCH=um O="$b" olddefconfig || return 1
	make -C "$SRC" ARCH=um O="$b" -j"$JOBS" linux >"$OUT/build-$1.log" 2>&1 || return 1
	cp "$b/linux" "$OUT/linux-$1"
}

# boot OPTION INIT-BODY: run the body as init in the guest, output in $OUT/run-OPTION/
boot() {
	local run=$OUT/run-$1
	rm -rf "$run"
	mkdir -p "$run"
	cat >"$run/init.sh" <<-EOF
	#!/bin/sh
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	[ -d /dev/snd ] || mount -t devtmpfs dev /dev
	cd "$run"
	$2
	dmesg >dmesg 2>&1
	sync
	echo o >/proc/sysrq-trigger
	EOF
	chmod +x "$run/init.sh"
	timeout 1200 "$OUT/linux-$1" mem=768M rootfstype=hostfs rootflags=/ rw init="$run/init.sh" \
		snd_dummy.fake_buffer=0 snd_aloop.pcm_substreams=2 con=null con0=null,fd:1 \
		>"$run/console.log" 2>&1
}

T=$OUT/pcm-dmabuf-test
bad=0
expect() { # NAME WANT FILE
	local got
	got=$(sed -n 's/^exit=//p' "$3")
	if [ "$got" = "$2" ]; then echo "ok - $1 (exit $got)"; else echo "not ok - $1 (exit ${got:-none}, want $2): $3"; bad=1; fi
}
if configure y; then
	boot y "for c in 0 1; do PCM_DMABUF_TEST_CARD=\$c timeout 300 $T >card\$c.tap 2>&1; echo exit=\$? >>card\$c.tap; done
	PCM_DMABUF_TEST_CARD=0 PCM_DMABUF_TEST_UNBIND=snd_dummy.0 timeout 300 $T -f unbind >unbind.tap 2>&1; echo exit=\$? >>unbind.tap"
	expect "option on, snd-dummy" 0 "$OUT/run-y/card0.tap"
	expect "option on, snd-aloop" 0 "$OUT/run-y/card1.tap"
	expect "option on, unbind and rebind snd_dummy.0" 0 "$OUT/run-y/unbind.tap"
	if grep -Eq 'WARNING:|BUG:|possible circular|Oops' "$OUT/run-y/dmesg"; then
		echo "not ok - dmesg has a kernel warning: $OUT/run-y/dmesg"; bad=1
	else
		echo "ok - dmesg clean"
	fi
else
	echo "not ok - UML kernel with the option: build failed ($OUT/build-y.log)"; bad=1
fi
if configure n; then
	boot n "PCM_DMABUF_TEST_CARD=0 timeout 300 $T >card0.tap 2>&1; echo exit=\$? >>card0.tap"
	expect "option off: skipped" 4 "$OUT/run-n/card0.tap"
	# tools/testing/selftests/kselftest.h, ksft_exit_skip() before any test: the plan "1..0 # SKIP reason"
	if grep -Eq '^1\.\.0 # SKIP ' "$OUT/run-n/card0.tap"; then
		echo "ok - option off: KTAP plan 1..0 # SKIP"
	else
		echo "not ok - option off: no KTAP '1..0 # SKIP' plan: $OUT/run-n/card0.tap"; bad=1
	fi
else
	echo "not ok - UML kernel without the option: build failed ($OUT/build-n.log)"; bad=1
fi
exit $bad
