#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sandbox.sh - run a command of an untrusted series revision (its harness
# build and harness process, the kernel build steps of check.sh) in a
# bubblewrap sandbox.  The one definition of the sandbox's policy: check.sh,
# kernel-tree.sh and pcmsim validate all start their sandboxed commands here.
#
#   sandbox.sh [--read PATH]... [--write DIR]... [--chdir DIR] [--env NAME=VALUE]... [--sanitized] -- COMMAND [ARG]...
#   sandbox.sh --probe     print what the sandbox enforces in one line, or why it cannot run; exit 0 or 1
#
# What the command sees: /usr (with the /bin, /lib* links), the few files of
# /etc that compilers and the JVM read, a private /tmp, /proc of its own PID
# namespace and a minimal /dev; every --read PATH read-only and every --write
# DIR writable, each at its own path.  Nothing else: not $HOME, not the rest
# of /etc.  No network (a namespace with loopback only), no IPC, a new session
# (no TIOCSTI into the caller's terminal), and it is killed with its parent.
#
# Limits, each per process and inherited (setrlimit): CPU seconds, writable
# memory (RLIMIT_DATA, which counts private writable mappings: heaps and the
# JVM's committed memory), file size, no core files; and the processes of the
# whole sandbox with a pids cgroup where this user can make one (root with a
# writable cgroup v1 "pids" hierarchy or a cgroup v2 one with pids enabled),
# else RLIMIT_NPROC, which the kernel does not enforce for root.
#
# --sanitized: the command runs under AddressSanitizer, whose shadow memory
# is terabytes of private writable address space (reserved, never touched),
# which RLIMIT_DATA counts: no RLIMIT_DATA then, and the memory limit is
# ASan's own hard_rss_limit_mb, appended to ASAN_OPTIONS.  A runtime limit the
# code under test could defeat, where RLIMIT_DATA is the kernel's; every other
# part of the sandbox holds as it is.
#
# Environment: PCM_DMABUF_SANDBOX_CPU (seconds, default 1800),
# PCM_DMABUF_SANDBOX_MEM (MiB, default 4096), PCM_DMABUF_SANDBOX_PROCS
# (default 512: tasks, which counts threads).
set -uo pipefail

CPU=${PCM_DMABUF_SANDBOX_CPU:-1800}
MEM=${PCM_DMABUF_SANDBOX_MEM:-4096}
PROCS=${PCM_DMABUF_SANDBOX_PROCS:-512}
FSIZE_MIB=4096
CG_PREFIX=pcm-dmabuf-sandbox-

die() { echo "sandbox.sh: $*" >&2; exit 125; }

for v in "$CPU" "$MEM" "$PROCS"; do
	case $v in ''|0|*[!0-9]*) die "PCM_DMABUF_SANDBOX_CPU, _MEM and _PROCS want positive numbers" ;; esac
done

# the pids controller's directory for a child cgroup of ours, or nothing
pids_base() {
	local line path
	# cgroup v1: "N:pids:/path"; v2: "0::/path" with pids among its subtree's controllers
	line=$(grep -m1 '^[0-9]*:pids:' /proc/self/cgroup 2>/dev/null)
	if [ -n "$line" ] && [ -d /sys/fs/cgroup/pids ]; then
		path=/sys/fs/cgroup/pids${line#*:pids:}
	else
		line=$(grep -m1 '^0::' /proc/self/cgroup 2>/dev/null) || return 1
		path=/sys/fs/cgroup${line#0::}
		grep -qw pids "$path/cgroup.subtree_control" 2>/dev/null || return 1
	fi
	[ -w "$path" ] && [ -f "$path/cgroup.procs" ] || return 1
	echo "${path%/}"
}

# move this shell into a new cgroup of at most $PROCS tasks; removes the
# empty ones earlier sandboxes left (a cgroup cannot remove itself)
pids_cgroup() {
	local base cg old
	base=$(pids_base) || return 1
	for old in "$base/$CG_PREFIX"*; do
		[ -d "$old" ] || continue
		kill -0 "${old##*-}" 2>/dev/null || rmdir "$old" 2>/dev/null
	done
	cg=$base/$CG_PREFIX$$
	mkdir "$cg" 2>/dev/null || return 1
	if ! echo "$PROCS" >"$cg/pids.max" 2>/dev/null || ! echo $$ >"$cg/cgroup.procs" 2>/dev/null; then
		rmdir "$cg" 2>/dev/null
		return 1
	fi
}

limits() {
	if [ "$SANITIZED" = 0 ]; then
		ulimit -d $((MEM * 1024)) || return 1
	fi
	ulimit -t "$CPU" -f $((FSIZE_MIB * 1024)) -c 0 || return 1
	ulimit -u "$PROCS" 2>/dev/null || true
}

# the bwrap arguments of the sandbox's fixed part
base_args() {
	local d t f
	ARGS=(--unshare-all --die-with-parent --new-session --cap-drop ALL
		--ro-bind /usr /usr --proc /proc --dev /dev --tmpfs /tmp --dir /var/tmp
		--clearenv --setenv PATH /usr/local/bin:/usr/bin:/bin --setenv HOME /tmp --setenv TMPDIR /tmp
		--setenv LANG C.UTF-8 --setenv LC_ALL C.UTF-8 --hostname sandbox)
	for d in bin sbin lib lib32 lib64 libx32; do
		if [ -L "/$d" ]; then
			t=$(readlink "/$d")
			ARGS+=(--symlink "$t" "/$d")
		elif [ -d "/$d" ]; then
			ARGS+=(--ro-bind "/$d" "/$d")
		fi
	done
	# what the compilers, perl and the JVM read of /etc; not passwd, shadow, ssh or any credential
	for f in alternatives ld.so.cache ld.so.conf ld.so.conf.d localtime perl java-25-openjdk; do
		[ -e "/etc/$f" ] && ARGS+=(--ro-bind "/etc/$f" "/etc/$f")
	done
	for f in /etc/python3 /etc/python3.*; do
		[ -e "$f" ] && ARGS+=(--ro-bind "$f" "$f")
	done
}

probe() {
	local v out cg=RLIMIT_NPROC
	command -v bwrap >/dev/null || { echo "bubblewrap (bwrap) is not installed"; return 1; }
	v=$(bwrap --version 2>/dev/null | sed -n 's/^bubblewrap //p')
	base_args
	if ! out=$(bwrap "${ARGS[@]}" -- /bin/sh -c 'test ! -e /etc/passwd && ! test -w /usr' 2>&1); then
		echo "bwrap ${v:-?} does not run here: $(echo "$out" | head -n 1)"
		return 1
	fi
	if [ -n "$(pids_base)" ]; then
		cg="a pids cgroup"
	elif [ "$(id -u)" -eq 0 ]; then
		cg="none: root without a writable pids cgroup, RLIMIT_NPROC does not hold"
	fi
	echo "bubblewrap $v; no network, writes only to its work directories, CPU ${CPU} s and ${MEM} MiB" \
		"per process, ${PROCS} tasks ($cg)"
}

if [ "${1:-}" = --probe ]; then
	probe
	exit
fi

base_args
SANITIZED=0
ASAN_ENV=
while [ $# -gt 0 ]; do
	case $1 in
	--read) [ $# -ge 2 ] || die "--read needs a path"
		[ -e "$2" ] || die "--read $2: no such file or directory"
		ARGS+=(--ro-bind "$2" "$2"); shift 2 ;;
	--write) [ $# -ge 2 ] || die "--write needs a directory"
		[ -d "$2" ] || die "--write $2: not a directory"
		ARGS+=(--bind "$2" "$2"); shift 2 ;;
	--chdir) [ $# -ge 2 ] || die "--chdir needs a directory"; ARGS+=(--chdir "$2"); shift 2 ;;
	--env) [ $# -ge 2 ] && [[ $2 == ?*=* ]] || die "--env needs NAME=VALUE"
		if [ "${2%%=*}" = ASAN_OPTIONS ]; then
			ASAN_ENV=${2#*=}
		else
			ARGS+=(--setenv "${2%%=*}" "${2#*=}")
		fi
		shift 2 ;;
	--sanitized) SANITIZED=1; shift ;;
	--) shift; break ;;
	*) die "unknown argument: $1 (usage: sandbox.sh [--read PATH]... [--write DIR]... -- COMMAND...)" ;;
	esac
done
[ $# -gt 0 ] || die "no command"
if [ "$SANITIZED" = 1 ]; then
	ASAN_ENV="${ASAN_ENV:+$ASAN_ENV:}hard_rss_limit_mb=$MEM"
fi
[ -z "$ASAN_ENV" ] || ARGS+=(--setenv ASAN_OPTIONS "$ASAN_ENV")
command -v bwrap >/dev/null || die "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
pids_cgroup || true
limits || die "cannot set the resource limits"
exec bwrap "${ARGS[@]}" -- "$@"
