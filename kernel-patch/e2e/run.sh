#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the pcm-dmabuf end-to-end check on a real (patched) kernel in QEMU.
#
#   kernel-patch/e2e/run.sh [-j JOBS] [--kernel BZIMAGE] [--only PARTS] [--frames N] [--trace]
#
# 1. builds or reuses the patched kernel (kernel.sh, cached under
#    $PCM_DMABUF_CACHE, default ~/.cache/pcm-dmabuf) and the guest programs;
# 2. boots it with qemu-system-x86_64 (TCG), the host root shared read-only
#    over 9p, an intel-hda + hda-output whose wav audiodev writes OUT.wav;
# 3. the generated init runs, in the guest: the stamped dma-buf playback on
#    the HDA card, the patch's kselftest on snd-dummy (fake_buffer=0),
#    snd-aloop, snd-hda-intel and snd-pcmtest, the upstream selftests
#    alsa/pcm-test and alsa/test-pcmtest-driver, the conformance suite with
#    --target device, and last the kselftest's destructive unbind test;
# 4. the host parses the "@@E2E" lines of the serial console, checks OUT.wav
#    (wav-check) and prints a table, timings and "N passed, N failed".
#
# PARTS (comma list, default all): wav,kselftest,upstream,conformance,unbind
# PCM_DMABUF_E2E_CONFORMANCE_ARGS: extra "pcmsim conformance" arguments, e.g.
#   "--script $PWD/kernel-patch/e2e/disagreements/contiguity.ops" or "--case attach.ops"
# Exit status 0 when nothing failed.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
ROOT=$(dirname "$KP")
CACHE=${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}
export PCM_DMABUF_CACHE=$CACHE
JOBS=${JOBS:-2}
KERNEL=${PCM_DMABUF_E2E_KERNEL:-}
PARTS=wav,kselftest,upstream,conformance,unbind
FRAMES=240000			# 5 s of stamped signal at 48 kHz
TRACE=				# --trace: the device target prints every op before it runs
TIMEOUT=${PCM_DMABUF_E2E_TIMEOUT:-2400}
JDK=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

usage() { sed -n '4,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
	case $1 in
	-j) JOBS=$2; shift 2 ;;
	-j*) JOBS=${1#-j}; shift ;;
	--kernel) KERNEL=$2; shift 2 ;;
	--only) PARTS=$2; shift 2 ;;
	--frames) FRAMES=$2; shift 2 ;;
	--trace) TRACE=1; shift ;;
	-h|--help) usage 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; usage ;;
	esac
done
want() { case ",$PARTS," in *",$1,"*) return 0 ;; esac; return 1; }

E2E=$CACHE/e2e
mkdir -p "$E2E"
RUN=$E2E/run
rm -rf "$RUN"
mkdir -p "$RUN"
BIN=$E2E/bin
mkdir -p "$BIN"
declare -A T			# timings, seconds
now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }
say() { echo "# $*"; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		echo "run.sh: need root for: $*" >&2; return 1; fi
}
deps() {
	local missing=() p
	for p in qemu-system-x86 libasound2-dev alsa-utils gcc make bc flex bison libelf-dev \
		libssl-dev patch; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
		{ as_root apt-get update -q >/dev/null &&
			as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# --- 1. host side: kernel, guest programs, Java classes --------------------
t=$(now)
deps || { echo "run.sh: dependencies missing" >&2; exit 1; }
[ -x "$JDK/bin/java" ] || { echo "run.sh: no JDK 25 at $JDK (set JAVA_HOME)" >&2; exit 1; }

t=$(now)
if [ -z "$KERNEL" ]; then
	KERNEL=$("$HERE/kernel.sh" -j "$JOBS" | tail -1) || { echo "run.sh: kernel build failed" >&2; exit 1; }
fi
T[kernel]=$(since "$t")
VERSION=$("$KP/scripts/kernel-tree.sh" version | tr '~:+' '___')
TREE=$E2E/linux-$VERSION
HDR=$E2E/build-$VERSION/headers/include
SELF=$TREE/tools/testing/selftests/alsa
if [ ! -f "$HDR/sound/asound.h" ] || [ ! -d "$SELF" ]; then
	# --kernel without a cached e2e build: check.sh's patched tree and headers
	[ -f "$HDR/sound/asound.h" ] || HDR=$CACHE/build/$VERSION/patched-headers/include
	[ -d "$SELF" ] || SELF=$CACHE/trees/patched-$VERSION/tools/testing/selftests/alsa
	[ -f "$HDR/sound/asound.h" ] && [ -d "$SELF" ] ||
		{ echo "run.sh: no patched headers: run without --kernel once" >&2; exit 1; }
fi
say "kernel $KERNEL (${T[kernel]} s)"

t=$(now)
CF="-O2 -isystem $HDR"
# the upstream selftests as their Makefile builds them (conf.c is its libatest.so), warnings not ours
{ gcc $CF -Wall -Wno-unused-parameter -o "$BIN/pcm-dmabuf-test" "$SELF/pcm-dmabuf-test.c" -I"$SELF" &&
	gcc $CF -w -o "$BIN/pcm-test" -I"$SELF" "$SELF/pcm-test.c" "$SELF/conf.c" -lasound -lpthread &&
	gcc $CF -w -o "$BIN/test-pcmtest-driver" -I"$SELF" "$SELF/test-pcmtest-driver.c" "$SELF/conf.c" \
		-lasound -lpthread &&
	gcc $CF -Wall -Wextra -Werror -o "$BIN/pcm-dmabuf-play" "$HERE/pcm-dmabuf-play.c" &&
	gcc -O2 -Wall -Wextra -Werror -o "$BIN/wav-check" "$HERE/wav-check.c"; } >"$RUN/gcc.log" 2>&1 ||
	{ cat "$RUN/gcc.log" >&2; echo "run.sh: building the guest programs failed" >&2; exit 1; }

# the CLI for the device target (pcmsim conformance --target device), built by
# Maven and copied into the cache, so that other builds of target/ during the
# boot do not change what the guest runs
PCMSIM=$E2E/pcmsim
if want conformance; then
	(cd "$ROOT" && JAVA_HOME=$JDK ./mvnw -q -B -ntp -DskipTests -pl cli -am package) >"$RUN/mvn.log" 2>&1 ||
		{ cat "$RUN/mvn.log" >&2; echo "run.sh: building pcmsim failed" >&2; exit 1; }
	rm -rf "$PCMSIM"
	mkdir -p "$PCMSIM"
	cp -r "$ROOT/cli/target/pcmsim.jar" "$ROOT/cli/target/lib" "$PCMSIM/"
fi
T[host-build]=$(since "$t")

# --- 2. the guest's init ---------------------------------------------------
INIT=$RUN/init.sh
cat >"$INIT" <<INIT
#!/bin/sh
# generated by kernel-patch/e2e/run.sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp JAVA_HOME=$JDK
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
e2e() { echo "@@E2E \$*"; }
e2e boot \$(cut -d' ' -f1 /proc/uptime)
card_by_id() { for c in /proc/asound/card[0-9]*; do [ "\$(cat \$c/id)" = "\$1" ] && { echo \${c#/proc/asound/card}; return; }; done; echo -1; }
cat /proc/asound/cards
DUMMY=\$(card_by_id Dummy); LOOP=\$(card_by_id Loopback); PCMTEST=\$(card_by_id pcmtest)
HDA=-1; for c in /proc/asound/card[0-9]*; do grep -q HDA-Intel \$c/../cards 2>/dev/null; done
HDA=\$(awk '/HDA-Intel/ {print \$1; exit}' /proc/asound/cards); [ -n "\$HDA" ] || HDA=-1
e2e cards dummy=\$DUMMY aloop=\$LOOP hda=\$HDA pcmtest=\$PCMTEST
BIN=$BIN
part() { case ",$PARTS," in *",\$1,"*) return 0;; esac; return 1; }
ts() { cut -d' ' -f1 /proc/uptime; }

if part wav; then
	amixer -q -c \$HDA sset Master 100% unmute 2>&1
	amixer -q -c \$HDA sset PCM 100% unmute 2>/dev/null
	t0=\$(ts)
	\$BIN/pcm-dmabuf-play \$HDA $FRAMES; rc=\$?
	e2e result wav-play \$rc \$t0 \$(ts)
fi
if part kselftest; then
	for c in dummy:\$DUMMY aloop:\$LOOP hda:\$HDA pcmtest:\$PCMTEST; do
		t0=\$(ts)
		echo "=== kselftest pcm-dmabuf-test on \${c%%:*} (card \${c#*:})"
		PCM_DMABUF_TEST_CARD=\${c#*:} \$BIN/pcm-dmabuf-test 2>&1; rc=\$?
		e2e result kselftest-\${c%%:*} \$rc \$t0 \$(ts)
	done
fi
if part upstream; then
	cd $SELF
	t0=\$(ts)
	echo "=== upstream alsa/pcm-test"
	\$BIN/pcm-test 2>&1; rc=\$?
	e2e result upstream-pcm-test \$rc \$t0 \$(ts)
	t0=\$(ts)
	echo "=== upstream alsa/test-pcmtest-driver"
	\$BIN/test-pcmtest-driver 2>&1; rc=\$?
	e2e result upstream-test-pcmtest-driver \$rc \$t0 \$(ts)
	cd /
fi
if part conformance; then
	t0=\$(ts)
	echo "=== conformance --target device"
	PCMDMABUF_DEVICE_TRACE=$TRACE \$JAVA_HOME/bin/java -Xlog:disable -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED \\
		-jar $PCMSIM/pcmsim.jar conformance --target device --disconnect-by-unbind \\
		${PCM_DMABUF_E2E_CONFORMANCE_ARGS:-} 2>&1; rc=\$?
	e2e result conformance-device \$rc \$t0 \$(ts)
fi
if part unbind; then
	t0=\$(ts)
	echo "=== kselftest pcm-dmabuf-test on dummy + unbind"
	PCM_DMABUF_TEST_CARD=\$DUMMY PCM_DMABUF_TEST_UNBIND=snd_dummy.0 \$BIN/pcm-dmabuf-test 2>&1; rc=\$?
	e2e result kselftest-dummy-unbind \$rc \$t0 \$(ts)
fi
echo "=== dmesg (lockdep, WARN, BUG, DMA-API errors)"
BAD="WARNING:|BUG:|Oops|circular locking|recursive locking|inconsistent lock state|device driver (tries|frees|failed)|DMA-API: .*(exceeded|overlap)"
dmesg | grep -E "\$BAD" | head -40
e2e dmesg-warnings \$(dmesg | grep -cE "\$BAD")
e2e done \$(ts)
echo o >/proc/sysrq-trigger
while :; do :; done   # the 9p root goes away during the power-off: no external command here
INIT
chmod +x "$INIT"

# --- 3. boot ---------------------------------------------------------------
WAV=$RUN/OUT.wav
LOG=$RUN/console.log
say "booting QEMU (TCG), console log $LOG"
t=$(now)
timeout "$TIMEOUT" qemu-system-x86_64 -machine pc -accel tcg -cpu max -smp 2 -m 2048 \
	-nographic -no-reboot -serial mon:stdio -display none \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-device intel-hda -device hda-output,audiodev=snd0,use-timer=false \
	-audiodev wav,id=snd0,path="$WAV",out.frequency=48000 \
	-kernel "$KERNEL" \
	-append "console=ttyS0 root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,cache=loose,msize=262144 ro init=$INIT panic=-1 snd_dummy.fake_buffer=0 snd_dummy.pcm_substreams=1 snd_aloop.pcm_substreams=2" \
	</dev/null >"$LOG" 2>&1
qrc=$?
T[qemu]=$(since "$t")
tr -d '\r' <"$LOG" >"$LOG.txt"

# --- 4. results ------------------------------------------------------------
pass=0 fail=0 warn=0
row() {
	printf '%-34s %-6s %s\n' "$1" "$2" "$3"
	case $2 in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; WARN) warn=$((warn + 1)) ;; esac
}
echo
printf '%-34s %-5s %s\n' "check" "result" "detail"
[ $qrc -eq 0 ] || row qemu FAIL "exit status $qrc (124: timeout after $TIMEOUT s)"
grep -q '^@@E2E done' "$LOG.txt" || row guest-init FAIL "no '@@E2E done' on the console"
T[boot]=$(awk '/^@@E2E boot/ {print $3; exit}' "$LOG.txt")
while read -r _ _ name rc t0 t1; do
	d=$(echo "$t1 - $t0" | bc)
	T[$name]=$d
	detail="exit $rc, ${d}s"
	tot=$(awk -v n="$name" '/^# Totals/ {t=$0} /^@@E2E result/ {if ($3 == n) {print t; exit} t=""}' "$LOG.txt" | sed 's/^# Totals: //')
	if [ "$rc" = 0 ]; then r=PASS; elif [ "$rc" = 4 ]; then r=SKIP; else r=FAIL; fi
	if [ "$name" = upstream-pcm-test ]; then
		# pcm-test times every stream against the wall clock; under TCG on a
		# shared host streams run late. Its failures are classified: timing
		# (time mismatch, short transfer, -EPIPE xrun, -EIO wait timeout) or functional.
		awk '/^=== upstream alsa\/pcm-test/ {on=1} /^@@E2E result upstream-pcm-test/ {on=0}
			on && /^not ok/ {name=$0; getline m; print name " :: " m}' "$LOG.txt" >"$RUN/pcm-test-failures.txt"
		nt=$(grep -cE ':: # (time mismatch|expected [0-9]+, wrote (-32|-5|[0-9]+)$)' "$RUN/pcm-test-failures.txt")
		nf=$(grep -cvE ':: # (time mismatch|expected [0-9]+, wrote (-32|-5|[0-9]+)$)' "$RUN/pcm-test-failures.txt")
		tot="${tot:+$tot; }$nt timing failures (TCG), $nf functional"
		# timing-only failures are reported (WARN), not counted as failed;
		# pcm-test exits 0 even with failed tests: its TAP totals decide
		if [ "$nf" != 0 ]; then r=FAIL; elif [ "$nt" != 0 ]; then r=WARN; fi
	fi
	row "$name" $r "exit $rc, $(printf '%.1f' "$d") s${tot:+; $tot}"
done < <(grep '^@@E2E result' "$LOG.txt")
# kselftest / upstream totals (TAP "# Totals" lines)
grep -E '^# Totals|^# PASSED|^# FAILED|^ok |^not ok ' "$LOG.txt" >"$RUN/tap.txt"
if want wav; then
	if [ -s "$WAV" ]; then
		"$BIN/wav-check" "$WAV" "$FRAMES" >"$RUN/wav-check.txt" 2>&1
		wrc=$?
		sed 's/^/# /' "$RUN/wav-check.txt"
		row wav-check $([ $wrc -eq 0 ] && echo PASS || echo FAIL) "$(grep -o 'stamped.*' "$RUN/wav-check.txt" | head -1)"
	else
		row wav-check FAIL "no $WAV"
	fi
fi
nw=$(awk '/^@@E2E dmesg-warnings/ {print $3}' "$LOG.txt")
[ -n "$nw" ] && row dmesg-clean $([ "$nw" = 0 ] && echo PASS || echo FAIL) "$nw lockdep/WARN/BUG/DMA-API lines"
echo
echo "# Totals of the TAP outputs (kselftest, upstream selftests):"
grep -E '^# Totals' "$LOG.txt" | sed 's/^/#   /'
if want conformance; then
	echo "# conformance --target device (model column: the same case on the model, run in the guest too):"
	sed -n '/^=== conformance/,/^@@E2E result conformance-device/p' "$LOG.txt" |
		grep -E '^(PASS|FAIL|LATE|SKIP|XFAIL|XPASS) |^    |^conformance: ' | sed 's/^/#   /'
	nlate=$(grep -c '^LATE ' "$LOG.txt")
	if grep -qE '^(FAIL|XPASS) ' "$LOG.txt"; then
		row conformance-cases FAIL "see the FAIL lines above"
	elif [ "$nlate" -gt 0 ]; then
		row conformance-cases WARN "$nlate case(s) with late wake-ups only (TCG), see LATE above"
	fi
fi
echo
echo "# timings (s): kernel build/reuse ${T[kernel]}, host programs ${T[host-build]}, QEMU total ${T[qemu]}, guest boot to init ${T[boot]:-?}"
for k in "${!T[@]}"; do case $k in kernel|host-build|qemu|boot) ;; *) printf '#   %s %.1f\n' "$k" "${T[$k]}" ;; esac; done | sort
echo "# console: $LOG.txt  WAV: $WAV"
echo "$pass passed, $fail failed$([ "$warn" -gt 0 ] && echo " ($warn warnings: timing only, see above)")"
[ "$fail" -eq 0 ]
