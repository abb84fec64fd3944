#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-tree.sh - provide the Linux 6.12 trees the pcm-dmabuf series is checked against.
#
#   kernel-tree.sh pristine        print the pristine tree (install/extract it once)
#   kernel-tree.sh patched [DIR]   make a clean patched copy (default: $CACHE/trees/patched)
#   kernel-tree.sh version         print the Debian version of linux-source-6.12
#
# The pristine tree is Debian's linux-source-6.12 (6.12.y with Debian patches),
# extracted once under $PCM_DMABUF_CACHE (default ~/.cache/pcm-dmabuf) into a
# directory named after the package version, and never written to afterwards.
# A patched copy is a hard-link farm of it (cp -al) on which GNU patch, which
# replaces each file it changes by a new one, applies kernel-patch/series/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KP=$(dirname "$HERE")
SERIES_DIR=${SERIES_DIR:-$KP/series}
CACHE=${PCM_DMABUF_CACHE:-$HOME/.cache/pcm-dmabuf}
PKG=linux-source-6.12
TARBALL=/usr/src/$PKG.tar.xz

die() { echo "kernel-tree.sh: $*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		die "need root to run: $*"; fi
}

# apt_install PKG... - install the packages that are missing, with apt-get.
apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "kernel-tree.sh: installing ${missing[*]}" >&2
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
		as_root apt-get update -q >&2 || die "apt-get update failed"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
			die "apt-get install ${missing[*]} failed"
	fi
}

pkg_version() {
	dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || true
}

pristine() {
	[ -f "$TARBALL" ] || apt_install "$PKG"
	[ -f "$TARBALL" ] || die "$TARBALL missing after installing $PKG"
	local ver dir tmp
	ver=$(pkg_version)
	[ -n "$ver" ] || ver=unknown
	dir=$CACHE/src/$PKG-$(echo "$ver" | tr "~:+" "___")
	mkdir -p "$CACHE/src"
	# one extraction at a time: run-tests builds the e2e kernel in the background while pcmsim validate
	# and the Maven tests may want the tree too, and a second extraction would replace the first's tree
	exec 8>"$CACHE/src/.extract.lock"
	flock 8
	if [ ! -f "$dir/.pcm-dmabuf-extracted" ]; then
		tmp=$(mktemp -d "$CACHE/src/.extract.XXXXXX")
		echo "kernel-tree.sh: extracting $TARBALL (once)" >&2
		tar -xJf "$TARBALL" -C "$tmp" || { rm -rf "$tmp"; die "extracting $TARBALL failed"; }
		rm -rf "$dir"
		mv "$tmp/$PKG" "$dir"
		rmdir "$tmp"
		touch "$dir/.pcm-dmabuf-extracted"
	fi
	exec 8>&-
	echo "$dir"
}

# patched DEST - hard-link copy of the pristine tree with the series applied.
patched() {
	local src dest p out rc
	src=$(pristine)
	dest=${1:-$CACHE/trees/patched}
	ls "$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch >/dev/null 2>&1 || die "no patches in $SERIES_DIR"
	rm -rf "$dest"
	mkdir -p "$(dirname "$dest")"
	cp -al "$src" "$dest"
	for p in "$SERIES_DIR"/[0-9][0-9][0-9][0-9]-*.patch; do
		case $(basename "$p") in 0000-*) continue ;; esac
		# GNU patch writes a new file and renames it over the link: the pristine
		# inode is never written to. -F0: no fuzz, the series must apply exactly.
		# in the sandbox (check.sh sets PCM_DMABUF_SANDBOX=1): GNU patch on a
		# hostile patch writes into $dest or nowhere
		rc=0
		if [ "${PCM_DMABUF_SANDBOX:-0}" = 1 ]; then
			out=$("$HERE/sandbox.sh" --read "$p" --write "$dest" --chdir "$dest" -- \
				patch -p1 -F0 -N --no-backup-if-mismatch <"$p" 2>&1) || rc=$?
		else
			out=$(cd "$dest" && patch -p1 -F0 -N --no-backup-if-mismatch <"$p" 2>&1) || rc=$?
		fi
		if [ $rc -ne 0 ]; then
			echo "$out" >&2
			die "$(basename "$p") does not apply to $src"
		fi
		# offsets and fuzz are reported: the series must apply exactly
		echo "$out" | grep -v '^patching file ' | sed "s|^|$(basename "$p"): |" >&2 || true
	done
	echo "$dest"
}

case ${1:-} in
pristine) pristine ;;
patched) shift; patched "$@" ;;
version) pkg_version ;;
*) echo "usage: kernel-tree.sh pristine | patched [DIR] | version" >&2; exit 2 ;;
esac
