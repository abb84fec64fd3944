#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit.sh - run the series' KUnit suites (sound/core/.kunitconfig: the
# sound core test and the PCM dma-buf test of sound/core/pcm_dmabuf_test.c)
# under User-Mode Linux with tools/testing/kunit/kunit.py, print their KTAP
# and "N passed, N failed".
#
#   kunit.sh [-j JOBS] [--series DIR] [--no-sandbox]
#
# The patched tree (kernel-tree.sh, a hard-link copy of the pristine one) is
# made again only when the series changed, so that a warm run rebuilds
# nothing; the UML build directory is kept.  Both live under
# $PCM_DMABUF_CACHE/kunit-um/ (default ~/.cache/pcm-dmabuf).  Once per
# series, pcm_dmabuf.c with the test included is compiled with W=1 and
# sparse (if installed): check.sh's builds do not enable KUnit, so this is
# where the test itself is checked; any diagnostic in sound/core/pcm_dmabuf*
# fails the run.
#
# kunit.py (make, Kconfig, the compiler and the UML kernel, all of them
# the series' code) runs in the sandbox of sandbox.sh: the tree and the
# series read-only, only the build directory writable, no network.
# --no-sandbox runs it with the caller's rights.
#
# Exit status: 0 when every test passed (skips allowed), 1 when a test
# failed or crashed, a suite's KTAP has fewer results than its plan (the
# kernel died under a case), the build failed or no test ran, 2 on a usage
# error.  Cold: the
# whole UML kernel, 15-25 minutes on 2 shared cores; warm: a link check and
# the boot.  The KTAP is kept in $PCM_DMABUF_CACHE/kunit-um/ktap.txt.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
CACHE=${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}
SERIES=${PCM_DMABUF_SERIES:-$KP/series}
JOBS=2
SANDBOX=1
USAGE="kunit.sh [-j JOBS] [--series DIR] [--no-sandbox]"

bad_usage() { echo "kunit.sh: $* (usage: $USAGE)" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-j) [ $# -ge 2 ] || bad_usage "-j needs a number"; JOBS=$2; shift 2 ;;
	-j*) JOBS=${1#-j}; shift ;;
	--series) [ $# -ge 2 ] || bad_usage "--series needs a directory"; SERIES=$2; shift 2 ;;
	--no-sandbox) SANDBOX=0; shift ;;
	-h|--help) echo "usage: $USAGE"; exit 0 ;;
	*) bad_usage "unknown argument: $1" ;;
	esac
done
case $JOBS in ''|0|*[!0-9]*) bad_usage "-j wants a positive number, not '$JOBS'" ;; esac
[ -d "$SERIES" ] || bad_usage "$SERIES is not a directory"
SERIES=$(cd "$SERIES" && pwd)

OUT=$CACHE/kunit-um
TREE=$OUT/tree
BUILD=$OUT/build
mkdir -p "$OUT" "$BUILD" || exit 1
# one run at a time: another would re-patch the tree under this one's build
exec 9>"$OUT/.lock"
if ! flock -n 9; then
	echo "# waiting for the other kunit.sh on $OUT to finish"
	flock 9
fi

# sbx [--write DIR] -- COMMAND...: COMMAND in the sandbox, reading the tree
# and the series, writing the build directory; as is with --no-sandbox
sbx() {
	if [ "$SANDBOX" != 1 ]; then
		while [ "$1" != -- ]; do shift; done
		shift
		(cd "$TREE" && exec "$@")
		return
	fi
	# UML keeps the guest's memory in a file under $TMPDIR: the sandbox's
	# private /tmp; the memory limit is the sandbox's default per process
	"$HERE/sandbox.sh" --read "$TREE" --read "$SERIES" --write "$BUILD" --chdir "$TREE" \
		--env PYTHONDONTWRITEBYTECODE=1 "$@"
}

# the suites' own config, plus the checkers of what they exercise: locking
# (lockdep asserts pcm_dmabuf.c's lock rules), lists, scatterlists, the DMA API
KUNIT_ARGS=(--arch=um --kunitconfig=sound/core --build_dir="$BUILD")
for opt in DEBUG_KERNEL PROVE_LOCKING DEBUG_LIST DEBUG_SG DMA_API_DEBUG; do
	KUNIT_ARGS+=(--kconfig_add "CONFIG_$opt=y")
done

start=$(date +%s)
# the tree, patched again only when the series changed
key=$(cat "$SERIES"/[0-9][0-9][0-9][0-9]-*.patch | sha256sum | cut -c1-16)
if [ ! -f "$TREE/.pcm-dmabuf-series" ] || [ "$(cat "$TREE/.pcm-dmabuf-series")" != "$key" ]; then
	export PCM_DMABUF_SANDBOX=$SANDBOX
	if ! out=$(SERIES_DIR=$SERIES PCM_DMABUF_CACHE=$CACHE "$HERE/kernel-tree.sh" patched "$TREE" 2>&1); then
		echo "$out"
		echo "not ok - the series does not apply"
		exit 1
	fi
	echo "$key" >"$TREE/.pcm-dmabuf-series"
	echo "# patched tree: $TREE"
fi
[ -f "$TREE/sound/core/.kunitconfig" ] || { echo "not ok - the series has no sound/core/.kunitconfig"; exit 1; }

# the test itself, as check.sh checks the series' other code (its builds do
# not enable KUnit): pcm_dmabuf.c with the test included, W=1 and sparse,
# once per series; kunit.py then compiles it again with its own flags
KTAP=$OUT/ktap.txt
LOG=$OUT/kunit.log
diag=$OUT/w1.log
if [ ! -f "$diag" ] || [ "$(cat "$OUT/w1.key" 2>/dev/null)" != "$key" ]; then
	rm -f "$OUT/w1.key"
	sbx -- python3 tools/testing/kunit/kunit.py config "${KUNIT_ARGS[@]}" >"$LOG" 2>&1 || { cat "$LOG"; echo "not ok - kunit.py config failed"; exit 1; }
	checker=
	command -v sparse >/dev/null && checker=C=1
	rm -f "$BUILD/sound/core/pcm_dmabuf.o"
	# shellcheck disable=SC2086
	sbx -- make -s ARCH=um O="$BUILD" -j"$JOBS" W=1 $checker sound/core/pcm_dmabuf.o >"$diag" 2>&1
	echo "exit $? W=1${checker:+ sparse}" >>"$diag"
	echo "$key" >"$OUT/w1.key"
fi
w1=0
if ! grep -q '^exit 0 ' "$diag" || grep -q 'pcm_dmabuf' "$diag"; then
	w1=1
fi

# kunit.py: configure, build (incremental), boot; only the KTAP is kept
sbx -- python3 tools/testing/kunit/kunit.py run "${KUNIT_ARGS[@]}" --jobs="$JOBS" --raw_output=kunit \
	>"$OUT/run.out" 2>>"$LOG"
rc=$?
cat "$OUT/run.out" >>"$LOG"
# kunit.py's own progress lines ("[hh:mm:ss] ...") are not KTAP
sed -n '/^KTAP version/,$p' "$OUT/run.out" | grep -v '^\[[0-9:]*\] ' >"$KTAP"
if ! grep -q '^KTAP version' "$KTAP"; then
	tail -n 30 "$KTAP" "$LOG"
	echo "not ok - kunit.py run failed (exit $rc) before any test ran: $LOG"
	exit 1
fi
cat "$KTAP"
if [ $w1 -ne 0 ]; then
	cat "$diag"
	echo "not ok - pcm_dmabuf.c with the test: build diagnostics ($diag)"
else
	echo "# pcm_dmabuf.c with the test: no diagnostic ($(tail -n 1 "$diag" | cut -d' ' -f3-))"
fi

# the summary: every test case, parameterized ones counted per parameter
summary=$(sbx -- python3 tools/testing/kunit/kunit.py parse <"$KTAP" 2>&1 | tail -n 1)
echo "# ${summary#*] }"
# KTAP: a plan "1..N" opens a block of N results at its indentation; a
# result line closes the blocks indented deeper (its own subtests), a plan at
# an indentation closes the block there before it.  A block that got fewer
# results than its plan lost the rest to a crash (the kernel died, the KTAP
# stopped): each missing result is a failure, as is a leaf "not ok"
counts=$(awk '
	function indent(s) { return match(s, /[^ ]/) - 1 }
	# close the blocks at indentation >= i, counting what they lack
	function close_from(i) {
		while (top > 0 && ind[top] >= i) {
			if (got[top] < plan[top])
				missing += plan[top] - got[top]
			top--
		}
	}
	/^ *1\.\.[0-9]+ *$/ {
		i = indent($0)
		close_from(i)
		top++; ind[top] = i; plan[top] = substr($0, i + 4) + 0; got[top] = 0
		next
	}
	/^ *(not )?ok [0-9]+/ {
		i = indent($0)
		close_from(i + 1)
		if (top > 0 && ind[top] == i) got[top]++
		lines[NR] = $0; depths[NR] = i
	}
	END {
		close_from(0)
		# a leaf is a result line not followed by deeper ones for its own subtests:
		# KTAP prints subtests before their parent, indented 4 more
		for (n = 1; n <= NR; n++) {
			if (!(n in lines)) continue
			leaf = 1
			for (j = n - 1; j >= 1; j--) {
				if (!(j in lines)) continue
				if (depths[j] > depths[n]) { leaf = 0 }
				break
			}
			if (!leaf) continue
			if (lines[n] ~ /# SKIP/) s++
			else if (lines[n] ~ /^ *not ok/) f++
			else p++
		}
		printf "%d %d %d %d\n", p, f, s, missing
	}' "$KTAP")
read -r passed failed skipped missing <<<"$counts"
if [ "$missing" -gt 0 ]; then
	echo "not ok - $missing results missing from the KTAP: a case crashed the kernel or the run stopped"
	failed=$((failed + missing))
fi
# kunit.py's own verdict: it counts crashed cases
case $summary in
*crashed:\ [1-9]*|*errors:\ [1-9]*) echo "not ok - kunit.py parse: $summary"; failed=$((failed + 1)) ;;
esac
[ $w1 -eq 0 ] || failed=$((failed + 1))
printf '# kunit.sh %ds (%s)\n' "$(($(date +%s) - start))" "$BUILD"
echo "$passed passed, $failed failed${skipped:+ ($skipped skipped)}"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ $rc -eq 0 ]
