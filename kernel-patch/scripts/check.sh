#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - check the pcm-dmabuf kernel series against Linux 6.12 (Debian's
# linux-source-6.12): it applies, checkpatch --strict is clean, the W=1 and
# sparse builds of sound/core/, drivers/dma-buf/ and the drivers the series
# opts in (sound/drivers/, sound/pci/hda/) add no warning, with the option
# on and off, the kselftest compiles against the patched uAPI headers, and
# the uAPI values are those of docs/spec.md for the series' uAPI revision.
# Warns when the series carries no Signed-off-by: (PCM_DMABUF_AUTHOR unset).
#
# usage: kernel-patch/scripts/check.sh [-j JOBS] [--series DIR] [--work NAME] [--no-sandbox] [--fresh]
#                                      [--packages] [--result-key]
#
# --series: the series to check (default kernel-patch/series/, or
# $PCM_DMABUF_SERIES).  --work: names the patched tree and build directories
# (default "patched"), so that checking another series (pcmsim validate uses
# "validate") leaves those of the shipped series alone.
#
# Every step that runs the series' code (GNU patch on it, checkpatch and
# docutils on its text, make with its Makefiles, Kconfig and scripts, gcc on
# its sources and headers, the programs built from them) runs in the sandbox
# of sandbox.sh: it reads the trees, writes only its own build directory.
# --no-sandbox runs them with the caller's rights (docs/sandbox.md).
#
# A check that passed is kept under $CACHE/results/, keyed by everything it
# reads: the series, kernel-patch/'s scripts, config and test programs, the
# versions of the tree's package and of the tools, and the options that
# change an answer.  A check of the same key prints that result again, with a
# line saying so, rather than build it all again (run-tests checks the
# shipped series in the background while Maven runs, then pcmsim validate
# checks it again); --fresh checks anyway.  A failed check is never kept: it
# runs again, and says why anew.  --result-key prints the key, checks nothing.
#
# --packages: install the packages the checks need (apt-get), check nothing
# (run-tests does it in the foreground before it runs a check in the
# background, so that no two apt-gets meet at dpkg's lock).
#
# Cold (clean machine): installs what is missing with apt-get, extracts the
# source once and configures the build directories, all under
# $PCM_DMABUF_CACHE (default ~/.cache/pcm-dmabuf).  Warm: reuses them.
# Prints "# running N - step" as a step begins, "ok N - step (Ts)" or
# "not ok N - step (Ts)" as it ends, then "P passed, F failed"; exits 1 if a
# step failed, 2 if the series does not apply (the steps after it would check
# nothing).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
CACHE=${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}
JOBS=${JOBS:-2}
FRAGMENT=$KP/config/pcm-dmabuf.config
SERIES=${PCM_DMABUF_SERIES:-$KP/series}
WORK=patched
SANDBOX=1
USAGE="check.sh [-j JOBS] [--series DIR] [--work NAME] [--no-sandbox] [--fresh] [--packages] [--result-key]"
PACKAGES_ONLY=
FRESH=
KEY_ONLY=

bad_usage() { echo "check.sh: $* (usage: $USAGE)" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-j) [ $# -ge 2 ] || bad_usage "-j needs a number"; JOBS=$2; shift 2 ;;
	-j*) JOBS=${1#-j}; shift ;;
	--series) [ $# -ge 2 ] || bad_usage "--series needs a directory"; SERIES=$2; shift 2 ;;
	--work) [ $# -ge 2 ] || bad_usage "--work needs a name"; WORK=$2; shift 2 ;;
	--no-sandbox) SANDBOX=0; shift ;;
	--packages) PACKAGES_ONLY=1; shift ;;
	--fresh) FRESH=1; shift ;;
	--result-key) KEY_ONLY=1; shift ;;
	-h|--help) echo "usage: $USAGE"; exit 0 ;;
	*) bad_usage "unknown argument: $1" ;;
	esac
done
case $JOBS in ''|0|*[!0-9]*) bad_usage "-j wants a positive number, not '$JOBS'" ;; esac
case $WORK in ''|pristine|*[!A-Za-z0-9_-]*) bad_usage "--work wants a plain name other than pristine, not '$WORK'" ;; esac
[ -d "$SERIES" ] || bad_usage "$SERIES is not a directory"
SERIES=$(cd "$SERIES" && pwd)
export SERIES_DIR=$SERIES
export PCM_DMABUF_CACHE=$CACHE

PKGS="linux-source-6.12 make gcc bc flex bison libelf-dev libssl-dev patch python3 python3-ply python3-git"
[ "$SANDBOX" = 1 ] && PKGS="$PKGS bubblewrap"

# result_key: what a check's answer depends on, hashed (see "A check that passed is kept" above).  The
# work name and the author are in it for the paths and the warning the answer prints.
result_key() {
	{
		echo "sandbox=$SANDBOX work=$WORK author=${PCM_DMABUF_AUTHOR:-}"
		# shellcheck disable=SC2086
		dpkg-query -W -f='${Package} ${Version}\n' $PKGS bubblewrap sparse python3-docutils linux-libc-dev \
			libc6-dev 2>/dev/null
		gcc --version 2>/dev/null | head -n 1
		(cd "$SERIES" && sha256sum -- *)
		(cd "$KP" && find scripts config tests -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
	} | sha256sum | cut -c1-32
}
if [ -n "$KEY_ONLY" ]; then
	result_key
	exit
fi

export PCM_DMABUF_SANDBOX=$SANDBOX
LOG=$CACHE/logs/$WORK
mkdir -p "$LOG" || { echo "check.sh: cannot create $LOG" >&2; exit 1; }
# one check at a time per cache: another would rebuild the trees under this one, and every work name
# shares the pristine build and its diagnostics
exec 9>"$CACHE/.check.lock"
if ! flock -n 9; then
	echo "# waiting for the other check.sh on $CACHE to finish"
	flock 9
fi

passed=0
failed=0
n=0
total_start=$(date +%s)

# step NAME FUNCTION: run a step, print its TAP-like line and duration
step() {
	local name=$1 fn=$2 t0 t1 out
	n=$((n + 1))
	out=$LOG/step-$n.log
	# what a caller that stops a step past its time limit names (pcmsim validate --stage-timeout)
	echo "# running $n - $name"
	t0=$(date +%s.%N)
	if "$fn" >"$out" 2>&1; then
		t1=$(date +%s.%N)
		passed=$((passed + 1))
		printf 'ok %d - %s (%.1fs)\n' "$n" "$name" "$(echo "$t1 - $t0" | bc)"
		# informational lines of a passing step
		grep '^# ' "$out" 2>/dev/null | sed 's/^# /#   /' || true
	else
		t1=$(date +%s.%N)
		failed=$((failed + 1))
		printf 'not ok %d - %s (%.1fs)\n' "$n" "$name" "$(echo "$t1 - $t0" | bc)"
		# a compiler's first errors are the ones to fix: they come first, the tail after them
		grep -q '^first errors:' "$out" || first_errors "$out" | sed 's/^/#   /'
		sed 's/^/#   /' "$out" | tail -n 25
		echo "#   full log: $out"
	fi
}

# first_errors LOG: the first compiler errors in LOG, with the paths of the
# trees taken off (FILE:LINE of the series), and how many more there are
first_errors() {
	local n
	n=$(grep -c -E '^[^ :]+:[0-9]+(:[0-9]+)?: (fatal )?error: ' "$1")
	[ "$n" -gt 0 ] || return 0
	echo "first errors:"
	grep -m 5 -E '^[^ :]+:[0-9]+(:[0-9]+)?: (fatal )?error: ' "$1" |
		sed -e "s|^${PATCHED:-/nonexistent}/||" -e "s|^${PRISTINE:-/nonexistent}/||"
	[ "$n" -le 5 ] || echo "($((n - 5)) more errors)"
	echo "last lines:"
}

# sbx [--write DIR]... [--chdir DIR] -- COMMAND...: COMMAND in the sandbox,
# reading kernel-patch/, the series and the trees; with --no-sandbox, as is
sbx() {
	local args=() ro
	if [ "$SANDBOX" != 1 ]; then
		(
			while [ "$1" != -- ]; do
				[ "$1" = --chdir ] && { cd "$2" || exit 1; }
				shift 2
			done
			shift
			exec "$@"
		)
		return
	fi
	for ro in "$KP" "$SERIES" "$PRISTINE" "$PATCHED"; do
		[ -n "$ro" ] && [ -e "$ro" ] && args+=(--read "$ro")
	done
	"$HERE/sandbox.sh" "${args[@]}" "$@"
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		echo "need root for: $*"; return 1; fi
}

missing_pkgs() {
	local p
	for p in $PKGS "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			echo "$p"
	done
}

apt_install() {
	[ $# -eq 0 ] && return 0
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" && return 0
	as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# --- steps -----------------------------------------------------------------

step_deps() {
	local missing
	missing=$(missing_pkgs)
	if [ -n "$missing" ]; then
		echo "# installing: $missing"
		# shellcheck disable=SC2086
		apt_install $missing || return 1
	fi
	if [ -z "$(missing_pkgs sparse)" ] || apt_install sparse; then
		echo "# sparse $(sparse --version 2>/dev/null)"
	else
		echo "# sparse is not installable: the sparse step is skipped"
	fi
	return 0
}

step_trees() {
	PRISTINE=$("$HERE/kernel-tree.sh" pristine) || return 1
	VERSION=$("$HERE/kernel-tree.sh" version | tr '~:+' '___')
	echo "# pristine tree: $PRISTINE"
	echo "$PRISTINE" >"$LOG/pristine.path"
}

# (a) the series applies cleanly: no fuzz, no offset, no reject
step_apply() {
	local p out
	ls "$SERIES"/[0-9][0-9][0-9][0-9]-*.patch >/dev/null || return 1
	for p in "$SERIES"/[0-9][0-9][0-9][0-9]-*.patch; do
		case $(basename "$p") in 0000-*) continue ;; esac
		grep -q '^diff --git' "$p" || { echo "$p: not a patch"; return 1; }
		# a link would have the builds read what it points to as the series' code
		if grep -Eq '^new (file )?mode 120000' "$p"; then
			echo "$(basename "$p"): makes $(grep -E -B3 '^new (file )?mode 120000' "$p" |
				sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' | head -n 1) a symbolic link:" \
				"a revision's files must be regular files"
			return 1
		fi
	done
	PATCHED=$CACHE/trees/$WORK-$VERSION
	out=$("$HERE/kernel-tree.sh" patched "$PATCHED" 2>&1) || { echo "$out"; return 1; }
	echo "$out" | grep -q . && echo "$out"
	if echo "$out" | grep -Eqi 'offset|fuzz|hunk|reject|reversed'; then
		echo "the series does not apply exactly"
		return 1
	fi
	echo "# patched tree: $PATCHED ($(ls "$SERIES"/000[1-9]*.patch "$SERIES"/00[1-9][0-9]*.patch 2>/dev/null | wc -l) patches)"
}

# (b) checkpatch --strict: 0 errors, 0 warnings, 0 checks in every patch.
# A patch without Signed-off-by: (make-series.sh ran without
# PCM_DMABUF_AUTHOR) is checked with --no-signoff and reported as unsigned:
# a person must sign it off before it is posted.
step_checkpatch() {
	local p line bad=0 unsigned=0 signoff
	for p in "$SERIES"/[0-9][0-9][0-9][0-9]-*.patch; do
		case $(basename "$p") in 0000-*) continue ;; esac # cover letter
		signoff=
		if ! grep -q '^Signed-off-by: ' "$p"; then
			signoff=--no-signoff
			unsigned=$((unsigned + 1))
		fi
		# shellcheck disable=SC2086
		sbx --chdir "$PRISTINE" -- ./scripts/checkpatch.pl --strict $signoff "$p" \
			>"$LOG/checkpatch-$(basename "$p").log" 2>&1
		line=$(grep '^total:' "$LOG/checkpatch-$(basename "$p").log")
		echo "# $(basename "$p"): ${line:-no total line}"
		case $line in
		"total: 0 errors, 0 warnings, 0 checks,"*) ;;
		*) bad=1; cat "$LOG/checkpatch-$(basename "$p").log" ;;
		esac
	done
	[ "$unsigned" -eq 0 ] ||
		echo "# WARNING: $unsigned patches carry no Signed-off-by: (checked with --no-signoff); a person must sign the series off before posting (PCM_DMABUF_AUTHOR=\"Name <mail>\" make-series.sh)"
	return $bad
}

# the documentation parses as reStructuredText (Sphinx itself is not needed)
step_rst() {
	local rst=$PATCHED/Documentation/sound/designs/pcm-dmabuf.rst
	[ -f "$rst" ] || { echo "no $rst"; return 1; }
	grep -q '^   pcm-dmabuf$' "$PATCHED/Documentation/sound/designs/index.rst" ||
		{ echo "pcm-dmabuf is not in the designs index"; return 1; }
	if ! python3 -c 'import docutils' 2>/dev/null; then
		echo "# python3-docutils is not installed: parse skipped"
		return 0
	fi
	# docutils' include directive reads any file it is given: sandboxed, with
	# the interpreter that has docutils (a pyenv or venv one in $HOME too) read-only
	local py prefix base
	py=$(python3 -c 'import sys; print(sys.executable)') || return 1
	prefix=$(python3 -c 'import sys; print(sys.prefix)') || return 1
	base=$(python3 -c 'import sys; print(sys.base_prefix)') || return 1
	sbx --read "$prefix" --read "$base" -- "$py" - "$rst" <<'PY'
import io, sys
import docutils.core
err = io.StringIO()
docutils.core.publish_string(open(sys.argv[1]).read(), writer_name='null',
                             settings_overrides={'warning_stream': err, 'report_level': 1})
if err.getvalue():
    print(err.getvalue())
    sys.exit(1)
PY
}

# configure BUILD_DIR SRC: tinyconfig + the fragment, then make prepare
configure() {
	local o=$1 src=$2 stamp want
	want=$(sha256sum <"$FRAGMENT" | cut -c1-16)
	stamp=$o/.pcm-dmabuf-config
	if [ -f "$o/.config" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
		sbx --write "$o" -- make -s -C "$src" ARCH=x86_64 O="$o" -j"$JOBS" prepare || return 1
		return 0
	fi
	rm -rf "$o"
	mkdir -p "$o"
	sbx --write "$o" -- make -s -C "$src" ARCH=x86_64 O="$o" tinyconfig || return 1
	# merge_config.sh makes its temporary files in the current directory: the
	# build directory, the one the sandbox lets it write (-m runs no make)
	sbx --write "$o" --chdir "$o" -- "$src/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" \
		"$FRAGMENT" >"$o/merge_config.log" 2>&1 || { cat "$o/merge_config.log"; return 1; }
	sbx --write "$o" -- make -s -C "$src" ARCH=x86_64 O="$o" olddefconfig || return 1
	sbx --write "$o" -- make -s -C "$src" ARCH=x86_64 O="$o" -j"$JOBS" prepare || return 1
	echo "$want" >"$stamp"
}

step_configure() {
	BUILD=$CACHE/build/$VERSION
	configure "$BUILD/pristine" "$PRISTINE" || return 1
	configure "$BUILD/$WORK" "$PATCHED" || return 1
	grep -q '^CONFIG_SND_PCM_DMABUF=y' "$BUILD/$WORK/.config" ||
		{ echo "CONFIG_SND_PCM_DMABUF is not set in the patched config"; return 1; }
	local opt
	for opt in SND_DUMMY SND_ALOOP SND_PCMTEST DMA_SHARED_BUFFER; do
		grep -q "^CONFIG_$opt=y" "$BUILD/$WORK/.config" ||
			{ echo "CONFIG_$opt is not set"; return 1; }
	done
	echo "# build dirs: $BUILD/{pristine,$WORK}"
}

# the directories the series touches (the core, and the drivers that opt in)
DIRS="sound/core/ drivers/dma-buf/ sound/drivers/ sound/pci/hda/"
# the same, built with CONFIG_SND_PCM_DMABUF=n (drivers/dma-buf/ does not change)
DIRS_OFF="sound/core/ sound/drivers/ sound/pci/hda/"

# normalize compiler/sparse diagnostics: file: severity: message (no line numbers)
normalize() {
	awk -v a="$PRISTINE/" -v b="$PATCHED/" '{
		if (index($0, a) == 1) $0 = substr($0, length(a) + 1)
		else if (index($0, b) == 1) $0 = substr($0, length(b) + 1)
		print
	}' "$1" |
		sed -n -E 's#^([^: ]+):[0-9]+(:[0-9]+)?: (warning|error): (.*)$#\1: \3: \4#p' | sort
}

# no_new_diagnostics WHAT BASELINE LOG: the diagnostics of build log LOG, normalized,
# are all in BASELINE (the pristine build's, normalized); prints the counts
no_new_diagnostics() {
	local what=$1 base=$2 norm=${3%.log}.norm new
	normalize "$3" >"$norm"
	new=$(comm -13 "$base" "$norm")
	echo "# $what diagnostics: pristine $(wc -l <"$base"), patched $(wc -l <"$norm"), new $(echo -n "$new" | grep -c .)"
	[ -z "$new" ] || { echo "new $what diagnostics:"; echo "$new"; return 1; }
}

# build_w1 BUILD_DIR SRC LOG: recompile $DIRS with W=1
build_w1() {
	local o=$1 src=$2 log=$3 d
	for d in $DIRS; do
		find "$o/$d" -name '*.o' -delete 2>/dev/null
	done
	# shellcheck disable=SC2086
	sbx --write "$o" -- make -C "$src" ARCH=x86_64 O="$o" -j"$JOBS" W=1 $DIRS >"$log.out" 2>"$log"
}

# (c) W=1: the patched build adds no warning to the pristine one
step_w1() {
	local pl=$BUILD/w1-pristine.log key
	# the tree's path too: the log names it, and normalize() strips only the
	# current trees' (a cache copied from elsewhere would compare nothing)
	key="$PRISTINE $(cat "$BUILD/pristine/.pcm-dmabuf-config") $DIRS"
	if [ ! -f "$pl" ] || [ "$(cat "$pl.key" 2>/dev/null)" != "$key" ]; then
		build_w1 "$BUILD/pristine" "$PRISTINE" "$pl" || { build_failed "$pl"; return 1; }
		echo "$key" >"$pl.key"
	fi
	build_w1 "$BUILD/$WORK" "$PATCHED" "$BUILD/w1-$WORK.log" ||
		{ build_failed "$BUILD/w1-$WORK.log"; return 1; }
	[ -f "$BUILD/$WORK/sound/core/pcm_dmabuf.o" ] || { echo "pcm_dmabuf.o was not built"; return 1; }
	normalize "$pl" >"$BUILD/w1-pristine.norm"
	no_new_diagnostics W=1 "$BUILD/w1-pristine.norm" "$BUILD/w1-$WORK.log"
}

# the series also builds without CONFIG_SND_PCM_DMABUF (the header stubs)
step_w1_off() {
	local o=$BUILD/$WORK-nodmabuf key
	key=$(cat "$BUILD/$WORK/.pcm-dmabuf-config")
	if [ ! -f "$o/.config" ] || [ "$(cat "$o/.pcm-dmabuf-config" 2>/dev/null)" != "$key" ]; then
		rm -rf "$o"
		mkdir -p "$o"
		sed 's/^CONFIG_SND_PCM_DMABUF=y$/# CONFIG_SND_PCM_DMABUF is not set/' \
			"$BUILD/$WORK/.config" >"$o/.config"
		sbx --write "$o" -- make -s -C "$PATCHED" ARCH=x86_64 O="$o" olddefconfig || return 1
		echo "$key" >"$o/.pcm-dmabuf-config"
	fi
	grep -q '^# CONFIG_SND_PCM_DMABUF is not set' "$o/.config" ||
		{ echo "CONFIG_SND_PCM_DMABUF could not be switched off"; return 1; }
	sbx --write "$o" -- make -s -C "$PATCHED" ARCH=x86_64 O="$o" -j"$JOBS" prepare || return 1
	local d
	for d in $DIRS_OFF; do
		find "$o/$d" -name '*.o' -delete 2>/dev/null
	done
	# shellcheck disable=SC2086
	sbx --write "$o" -- make -C "$PATCHED" ARCH=x86_64 O="$o" -j"$JOBS" W=1 $DIRS_OFF \
		>"$BUILD/w1-off-$WORK.log.out" 2>"$BUILD/w1-off-$WORK.log" ||
		{ build_failed "$BUILD/w1-off-$WORK.log"; return 1; }
	[ ! -f "$o/sound/core/pcm_dmabuf.o" ] || { echo "pcm_dmabuf.o built although disabled"; return 1; }
	no_new_diagnostics "W=1 (CONFIG_SND_PCM_DMABUF=n)" "$BUILD/w1-pristine.norm" "$BUILD/w1-off-$WORK.log"
}

# (d) sparse (C=2: check every file, compiled or not; W=1 as in the build
# before, so that nothing is recompiled): no new warning
step_sparse() {
	local pl=$BUILD/sparse-pristine.log key
	if ! command -v sparse >/dev/null; then
		echo "# sparse is not installed: skipped"
		return 0
	fi
	key="$PRISTINE $(cat "$BUILD/pristine/.pcm-dmabuf-config") C=2 W=1 $DIRS"
	if [ ! -f "$pl" ] || [ "$(cat "$pl.key" 2>/dev/null)" != "$key" ]; then
		# shellcheck disable=SC2086
		sbx --write "$BUILD/pristine" -- make -C "$PRISTINE" ARCH=x86_64 O="$BUILD/pristine" -j"$JOBS" \
			C=2 W=1 $DIRS >/dev/null 2>"$pl" || { build_failed "$pl"; return 1; }
		echo "$key" >"$pl.key"
	fi
	# shellcheck disable=SC2086
	sbx --write "$BUILD/$WORK" -- make -C "$PATCHED" ARCH=x86_64 O="$BUILD/$WORK" -j"$JOBS" C=2 W=1 $DIRS \
		>/dev/null 2>"$BUILD/sparse-$WORK.log" || { build_failed "$BUILD/sparse-$WORK.log"; return 1; }
	normalize "$pl" >"$BUILD/sparse-pristine.norm"
	no_new_diagnostics sparse "$BUILD/sparse-pristine.norm" "$BUILD/sparse-$WORK.log"
}

# sparse of the build without CONFIG_SND_PCM_DMABUF (step_w1_off's), against
# the same pristine log: the header stubs and the option-off paths
step_sparse_off() {
	local o=$BUILD/$WORK-nodmabuf
	if ! command -v sparse >/dev/null; then
		echo "# sparse is not installed: skipped"
		return 0
	fi
	[ -f "$BUILD/sparse-pristine.norm" ] || { echo "no pristine sparse log: the sparse step failed"; return 1; }
	[ -f "$o/.config" ] || { echo "no build without the option: the W=1 step without it failed"; return 1; }
	# shellcheck disable=SC2086
	sbx --write "$o" -- make -C "$PATCHED" ARCH=x86_64 O="$o" -j"$JOBS" C=2 W=1 $DIRS_OFF \
		>/dev/null 2>"$BUILD/sparse-off-$WORK.log" || { build_failed "$BUILD/sparse-off-$WORK.log"; return 1; }
	no_new_diagnostics "sparse (CONFIG_SND_PCM_DMABUF=n)" "$BUILD/sparse-pristine.norm" "$BUILD/sparse-off-$WORK.log"
}

step_headers() {
	rm -rf "$HDR"
	mkdir -p "$HDR"
	sbx --write "$BUILD/$WORK" --write "$HDR" -- \
		make -s -C "$PATCHED" ARCH=x86_64 O="$BUILD/$WORK" INSTALL_HDR_PATH="$HDR" headers_install || return 1
	grep -q SNDRV_PCM_IOCTL_DMABUF_EXPORT "$HDR/include/sound/asound.h" ||
		{ echo "the installed asound.h lacks the dma-buf ioctls"; return 1; }
}

# (e) the kselftest compiles against the patched uAPI headers
step_kselftest() {
	local dir=$PATCHED/tools/testing/selftests/alsa
	[ -f "$dir/pcm-dmabuf-test.c" ] || { echo "no pcm-dmabuf-test.c in the patched tree"; return 1; }
	grep -q 'pcm-dmabuf-test' "$dir/Makefile" || { echo "pcm-dmabuf-test is not in the Makefile"; return 1; }
	# -Wno-unused-parameter: kselftest_harness.h itself is not -Wextra clean
	# built in the sandbox's writable build directory, then moved beside it
	sbx --read "$HDR" --write "$BUILD/$WORK" --chdir "$dir" -- gcc -Wall -Wextra -Wno-unused-parameter -Werror \
		-isystem "$HDR/include" -o "$BUILD/$WORK/pcm-dmabuf-test" pcm-dmabuf-test.c || return 1
	mv "$BUILD/$WORK/pcm-dmabuf-test" "$BUILD/$WORK-pcm-dmabuf-test" || return 1
	echo "# built $BUILD/$WORK-pcm-dmabuf-test (runs in the QEMU end-to-end check)"
}

# (f) the uAPI values of docs/spec.md section 1, as compiled on x86_64; and
# what the device target marshals is laid out by the patched headers as by
# the host's linux-libc-dev ones, which its host tests (UapiLayoutTest) use
step_uapi() {
	# the patched headers' macros are the series' code: compiled and run in the sandbox
	local bin=$BUILD/$WORK-uapi out
	out=$bin/uapi-layout
	rm -rf "$bin"
	mkdir -p "$bin"
	sbx --read "$HDR" --write "$bin" -- gcc -Wall -Wextra -Werror -isystem "$HDR/include" \
		-o "$bin/uapi-values" "$KP/tests/uapi-values.c" || return 1
	sbx --read "$bin" -- "$bin/uapi-values" || return 1
	sbx --read "$HDR" --write "$bin" -- gcc -std=gnu11 -Wall -Wextra -Werror -isystem "$HDR/include" -o "$out" \
		"$KP/tests/uapi-layout.c" || return 1
	gcc -std=gnu11 -Wall -Wextra -Werror -o "$out-host" "$KP/tests/uapi-layout.c" || return 1
	sbx --read "$bin" -- "$out" | grep -v '^headers ' >"$out.txt" || return 1
	"$out-host" | grep -v '^headers ' >"$out-host.txt" || return 1
	if ! diff "$out-host.txt" "$out.txt"; then
		echo "the host's uAPI headers ($("$out-host" | sed -n 's/^headers //p')) lay these out differently"
		return 1
	fi
	echo "# uapi-layout.c: $(wc -l <"$out.txt") entries, the same under the patched headers as under the host's"
}

# build_failed LOG: a build's first errors and last lines, and where its log is
build_failed() {
	first_errors "$1"
	tail -n 10 "$1"
	echo "full build log: $1"
}

# --- main ------------------------------------------------------------------

if [ -n "$PACKAGES_ONLY" ]; then
	step_deps
	exit
fi

echo "# pcm-dmabuf kernel series check of $SERIES, cache $CACHE ($WORK), -j$JOBS, sandbox $([ "$SANDBOX" = 1 ] && echo on || echo "off (--no-sandbox)")"
KEY=$(result_key)
RESULT=$CACHE/results/$KEY
if [ -z "$FRESH" ] && [ -f "$RESULT" ]; then
	# each step took no time in this run: it says so, and when its answer was found and what that took
	kept="the answer of the check of $(date -r "$RESULT" '+%F %T'), of the same series, scripts, config, tree and tools (key $KEY; --fresh checks again)"
	echo "# kept: $kept"
	sed -E "s|^(ok [0-9]+ - .*) \(([0-9.]+)s\)\$|\1 (0.0s)\n#   kept: $kept: it took \2s|" "$RESULT"
	exit 0
fi

run_steps() {
	if [ -z "${PCM_DMABUF_AUTHOR:-}" ]; then
		echo "# WARNING: PCM_DMABUF_AUTHOR is not set: no author identity; the series must be signed off by a person (make-series.sh) before it is posted"
	fi
	PRISTINE= PATCHED= VERSION= BUILD= HDR=
	step "dependencies installed" step_deps
	step "pristine linux-source-6.12 tree" step_trees
	[ -f "$LOG/pristine.path" ] && PRISTINE=$(cat "$LOG/pristine.path")
	VERSION=$("$HERE/kernel-tree.sh" version 2>/dev/null | tr '~:+' '___')
	step "series applies cleanly to the pristine tree" step_apply
	if [ "$failed" -ne 0 ]; then
		echo "$passed passed, $failed failed"
		exit 2
	fi
	PATCHED=$CACHE/trees/$WORK-$VERSION
	BUILD=$CACHE/build/$VERSION
	HDR=$BUILD/$WORK-headers
	step "checkpatch.pl --strict: 0 errors, 0 warnings, 0 checks" step_checkpatch
	step "Documentation/sound/designs/pcm-dmabuf.rst parses" step_rst
	step "configure pristine and patched builds (tinyconfig + fragment)" step_configure
	step "W=1 build of $DIRS: no new warning" step_w1
	step "W=1 build of $DIRS_OFF with CONFIG_SND_PCM_DMABUF=n: no new warning" step_w1_off
	step "sparse C=2 of $DIRS: no new warning" step_sparse
	step "sparse C=2 of $DIRS_OFF with CONFIG_SND_PCM_DMABUF=n: no new warning" step_sparse_off
	step "headers_install of the patched tree" step_headers
	step "kselftest pcm-dmabuf-test compiles against the patched headers" step_kselftest
	step "uAPI ioctl values and the device target's layouts (x86_64)" step_uapi

	printf '# total %ds\n' "$(($(date +%s) - total_start))"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

mkdir -p "$CACHE/results"
record=$(mktemp "$CACHE/results/.check.XXXXXX")
trap 'rm -f "$record"' EXIT
run_steps | tee "$record"
status=${PIPESTATUS[0]}
# kept under the key of what it read when it ended: the packages step_deps installed are in it
[ "$status" -ne 0 ] || mv "$record" "$CACHE/results/$(result_key)"
exit "$status"
