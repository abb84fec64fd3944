#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make-series.sh - regenerate kernel-patch/series/ from a kernel git tree
# whose commits since BASE are the series (maintainer tool, not run by CI).
#
#   make-series.sh [TREE [BASE]]   (default: ~/.cache/pcm-dmabuf/dev/linux, its root commit)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
TREE=${1:-${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}/dev/linux}
[ -d "$TREE/.git" ] || { echo "make-series.sh: $TREE is not a git tree" >&2; exit 1; }
BASE=${2:-$(git -C "$TREE" rev-list --max-parents=0 HEAD)}
rm -f "$KP"/series/*.patch
git -C "$TREE" format-patch -q --cover-letter --no-signature -o "$KP/series" "$BASE"..HEAD
python3 - "$KP/series/0000-cover-letter.patch" "$HERE/cover-letter.txt" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read().split('\n', 2)
s = open(cover).read()
s = s.replace('*** SUBJECT HERE ***', text[0]).replace('*** BLURB HERE ***\n', text[2])
open(cover, 'w').write(s)
PY
ls "$KP/series"
