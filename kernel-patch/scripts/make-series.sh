#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make-series.sh - regenerate kernel-patch/series/ from a kernel git tree
# whose commits since BASE are the series (maintainer tool, not run by CI).
#
#   PCM_DMABUF_AUTHOR="Name <mail>" make-series.sh [TREE [BASE]]
#   (default TREE: ~/.cache/pcm-dmabuf/dev/linux; BASE: its root commit)
#
# The author identity comes from the environment, never from the tree:
# with PCM_DMABUF_AUTHOR set, every patch is From: and Signed-off-by: that
# person, who certifies the Developer's Certificate of Origin by setting
# it.  Without it the patches carry no Signed-off-by: and the cover letter
# says that a person must sign the series off before it is posted
# (check.sh warns about it).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
TREE=${1:-${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}/dev/linux}
[ -d "$TREE/.git" ] || { echo "make-series.sh: $TREE is not a git tree" >&2; exit 1; }
BASE=${2:-$(git -C "$TREE" rev-list --max-parents=0 HEAD)}
AUTHOR=${PCM_DMABUF_AUTHOR:-}
if [ -n "$AUTHOR" ] && ! echo "$AUTHOR" | grep -Eq '^[^<>@]+ <[^<> ]+@[^<> ]+>$'; then
	echo "make-series.sh: PCM_DMABUF_AUTHOR must be \"Name <mail>\", not '$AUTHOR'" >&2
	exit 1
fi
FROM=(--from="PCM_DMABUF_AUTHOR not set <unset@invalid>")
[ -n "$AUTHOR" ] && FROM=(--from="$AUTHOR")
rm -f "$KP"/series/*.patch
git -C "$TREE" format-patch -q --cover-letter --no-signature --subject-prefix="RFC PATCH v7" "${FROM[@]}" \
	-o "$KP/series" "$BASE"..HEAD
python3 - "$KP/series" "$HERE/cover-letter.txt" "$AUTHOR" "${FROM[0]#--from=}" <<'PY'
import glob, os, re, sys
series, text, author = sys.argv[1], open(sys.argv[2]).read().split('\n', 2), sys.argv[3]
ident = sys.argv[4]
unsigned = ('NOT SIGNED OFF: no Signed-off-by: line has been added.  A person must\n'
            'review this series, take authorship and add their Signed-off-by: to\n'
            'every patch (PCM_DMABUF_AUTHOR="Name <mail>" make-series.sh) before\n'
            'it is posted.\n\n')
for p in sorted(glob.glob(os.path.join(series, '*.patch'))):
    s = open(p).read()
    if os.path.basename(p).startswith('0000-'):
        blurb = text[2] if author else unsigned + text[2]
        # format-patch gives the cover letter the committer of the tree
        s = re.sub(r'^From: .*(\n .*)?$', lambda m: 'From: ' + ident, s, count=1, flags=re.M)
        s = s.replace('*** SUBJECT HERE ***', text[0]).replace('*** BLURB HERE ***\n', blurb)
    elif author:
        # the commits' own author is a placeholder: no in-body From: for it
        s = re.sub(r'\n\nFrom: PCM_DMABUF_AUTHOR not set <unset@invalid>\n', '\n', s, count=1)
        # the trailer goes at the end of the commit message, before the diffstat
        head, sep, rest = s.partition('\n---\n')
        s = head.rstrip('\n') + '\n\nSigned-off-by: ' + author + '\n' + sep.lstrip('\n') + rest
    open(p, 'w').write(s)
PY
ls "$KP/series"
