// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/kcsan/: a data race detector for the
 * code under test.  The scheduler (kernel/sched/core.c) switches tasks only
 * at scheduling points, so a lock dropped around stores with no point inside
 * changes no schedule; KCSAN finds such races with watchpoints in a running
 * kernel, this finds them in every schedule the harness runs, by
 * happens-before (vector clocks, as ThreadSanitizer's runtime) rather than by
 * chance.
 *
 * The library is compiled with -fsanitize=thread (build.sh) but linked
 * without its runtime: as the kernel does for KCSAN (kernel/kcsan/core.c),
 * the __tsan_*() callbacks the compiler emits are defined here.  Only
 * accesses of pcm_dmabuf.c's code count, the shim headers it inlines
 * (list.h's list_add() in a patch function) included: harness.c places
 * markers around its #include of the file, and build.sh keeps functions in
 * source order (-fno-toplevel-reorder), so a return address between the
 * markers is the patch's.  The harness's own bookkeeping, which the
 * scheduler's baton serialises, is not kernel memory and is not checked;
 * the PCM core's accesses the host makes for it are, where it marks them
 * (harness_kcsan_core_access(): a state change under the stream lock).
 * Marked accesses (READ_ONCE(), atomic_read(): volatile here, tracked
 * apart by --param tsan-distinguish-volatile=1) never race, as KCSAN's.
 *
 * Happens-before: a lock's release orders the releasing task's past before
 * whoever takes it next (kernel/locking/mutex.c shim); a fully ordered
 * reference count RMW (fput()'s atomic_long_dec_and_test(), fget()'s and
 * get_file_active()'s atomic_long_inc_not_zero()) orders like a lock of
 * the counter; the plain increment get_dma_buf() (atomic_long_inc()) orders
 * nothing, as in the LKMM.  A group's tasks start after everything the host
 * did, and the host continues after all of them (task start and join), so
 * each group starts with empty shadow memory.  The first race of a group is
 * reported with both accesses (function, file:line, the innermost inlined
 * line) and fails the run (docs/spec.md PLAT-DATA-RACE).  Included by
 * harness.c after the scheduler.
 */

#include <dlfcn.h>
#include <limits.h>

#define KCSAN_SHADOW_BITS	16
#define KCSAN_SHADOW_SIZE	(1U << KCSAN_SHADOW_BITS)
#define KCSAN_SYNC_SIZE		512

struct kcsan_access {
	unsigned int clock;	/* the task's own clock when it accessed, 0 none */
	void *pc;
};

/* the last write of one byte and each task's last read since it */
struct kcsan_shadow {
	uintptr_t addr;		/* 0: a free slot */
	int writer;
	struct kcsan_access write;
	struct kcsan_access read[HARNESS_MAX_TASKS];
};

/* a lock's or a counter's clock: what its last release published */
struct kcsan_sync {
	const void *addr;
	unsigned int clock[HARNESS_MAX_TASKS];
};

static struct {
	bool active;
	bool raced;
	bool full;
	unsigned int clock[HARNESS_MAX_TASKS][HARNESS_MAX_TASKS];
	unsigned int used[KCSAN_SHADOW_SIZE];
	unsigned int nused;
	struct kcsan_sync sync[KCSAN_SYNC_SIZE];
	char report[1536];
} kcsan;

static struct kcsan_shadow kcsan_shadow[KCSAN_SHADOW_SIZE];

/* harness.c: the code of pcm_dmabuf.c lies between the two */
void harness_kcsan_text_begin(void);
void harness_kcsan_text_end(void);

static __no_kcsan bool kcsan_patch_pc(void *pc)
{
	return (uintptr_t)pc > (uintptr_t)harness_kcsan_text_begin &&
	       (uintptr_t)pc < (uintptr_t)harness_kcsan_text_end;
}

/* the group of @tasks starts: each task's clock knows only itself */
__no_kcsan void harness_kcsan_group_start(int tasks)
{
	unsigned int i;
	int t;

	for (i = 0; i < kcsan.nused; i++)
		kcsan_shadow[kcsan.used[i]].addr = 0;
	kcsan.nused = 0;
	memset(kcsan.clock, 0, sizeof(kcsan.clock));
	memset(kcsan.sync, 0, sizeof(kcsan.sync));
	for (t = 0; t < tasks; t++)
		kcsan.clock[t][t] = 1;
	kcsan.raced = false;
	kcsan.full = false;
	kcsan.report[0] = '\0';
	kcsan.active = true;
}

/* the group is over: whether it raced */
__no_kcsan bool harness_kcsan_group_end(void)
{
	kcsan.active = false;
	return kcsan.raced;
}

static __no_kcsan bool kcsan_checking(void)
{
	return kcsan.active && sched_self >= 0 && !kcsan.raced &&
	       !(sched.status & HARNESS_SCHED_DEADLOCK);
}

static __no_kcsan struct kcsan_sync *kcsan_sync_of(const void *addr)
{
	unsigned int h = (unsigned int)(((uintptr_t)addr >> 3) * 0x9e3779b1U) % KCSAN_SYNC_SIZE;
	unsigned int n;

	for (n = 0; n < KCSAN_SYNC_SIZE; n++, h = (h + 1) % KCSAN_SYNC_SIZE) {
		if (kcsan.sync[h].addr == addr)
			return &kcsan.sync[h];
		if (!kcsan.sync[h].addr) {
			kcsan.sync[h].addr = addr;
			return &kcsan.sync[h];
		}
	}
	kcsan.full = true;
	return NULL;
}

/* the running task takes @addr: it sees what every release of it published */
__no_kcsan void harness_kcsan_acquire(const void *addr)
{
	struct kcsan_sync *s;
	int u;

	if (!kcsan_checking() || !(s = kcsan_sync_of(addr)))
		return;
	for (u = 0; u < HARNESS_MAX_TASKS; u++)
		if (s->clock[u] > kcsan.clock[sched_self][u])
			kcsan.clock[sched_self][u] = s->clock[u];
}

/* the running task releases @addr: its past is published, its clock moves on */
__no_kcsan void harness_kcsan_release(const void *addr)
{
	struct kcsan_sync *s;
	int u;

	if (!kcsan_checking() || !(s = kcsan_sync_of(addr)))
		return;
	for (u = 0; u < HARNESS_MAX_TASKS; u++)
		if (kcsan.clock[sched_self][u] > s->clock[u])
			s->clock[u] = kcsan.clock[sched_self][u];
	kcsan.clock[sched_self][sched_self]++;
}

/* a fully ordered read-modify-write of a counter (LKMM: acquire and release) */
__no_kcsan void harness_kcsan_rmw(const void *addr)
{
	harness_kcsan_acquire(addr);
	harness_kcsan_release(addr);
}

/* "function at file:line" of @pc and, when inlined there, of the line it came from */
static __no_kcsan void kcsan_symbolize(void *pc, char *out, size_t len)
{
	char cmd[PATH_MAX + 64], fn[256], line[PATH_MAX], inner[PATH_MAX] = "";
	char *nl;
	Dl_info info;
	FILE *p;
	int n = 0;

	snprintf(out, len, "%p", pc);
	if (!dladdr(pc, &info) || !info.dli_fname)
		return;
	snprintf(out, len, "%s+0x%lx", info.dli_fname,
		 (unsigned long)((uintptr_t)pc - (uintptr_t)info.dli_fbase));
	/* the return address is after the call: the access is the byte before */
	snprintf(cmd, sizeof(cmd), "addr2line -f -i -e '%s' 0x%lx 2>/dev/null",
		 info.dli_fname,
		 (unsigned long)((uintptr_t)pc - 1 - (uintptr_t)info.dli_fbase));
	p = popen(cmd, "r");
	if (!p)
		return;
	/* pairs of lines, innermost first: the function, then file:line */
	while (fgets(fn, sizeof(fn), p) && fgets(line, sizeof(line), p)) {
		if ((nl = strchr(fn, '\n')))
			*nl = '\0';
		if ((nl = strpbrk(line, " \n")))
			*nl = '\0';
		if (n++ == 0) {
			snprintf(inner, sizeof(inner), "%s", site_file(line));
			/* the PCM core's access, made by the host (harness_kcsan_core_access()) */
			if (!kcsan_patch_pc(pc))
				snprintf(out, len, "%s at %s (the PCM core)", fn, inner);
		}
		if (strstr(line, "sound/core/pcm_dmabuf.c")) {
			if (n > 1)
				snprintf(out, len, "%s at %s (inlined %s)", fn,
					 site_file(line), inner);
			else
				snprintf(out, len, "%s at %s", fn, site_file(line));
			break;
		}
	}
	pclose(p);
}

static __no_kcsan void kcsan_report(uintptr_t addr, int other, bool other_write, void *other_pc,
			 bool write, void *pc)
{
	char mine[512], theirs[512];

	kcsan.raced = true;
	kcsan_symbolize(other_pc, theirs, sizeof(theirs));
	kcsan_symbolize(pc, mine, sizeof(mine));
	/*
	 * the sites name the race; the address, which differs from run to run,
	 * only on the console, so that a report repeats word for word (a
	 * series' FINDINGS declares it so)
	 */
	snprintf(kcsan.report, sizeof(kcsan.report),
		 "data race (PLAT-DATA-RACE): task %d %s %s and task %d %s %s, not ordered by a lock, a fully ordered reference count or the group's start",
		 other, other_write ? "writes at" : "reads at", theirs,
		 sched_self, write ? "writes at" : "reads at", mine);
	/* at once, as KCSAN's console report: a use after free may follow */
	fprintf(stderr, "%s (address %#lx)\n", kcsan.report, (unsigned long)addr);
}

static __no_kcsan struct kcsan_shadow *kcsan_shadow_of(uintptr_t addr)
{
	unsigned int h = (unsigned int)((addr * 0x9e3779b97f4a7c15ULL) >> (64 - KCSAN_SHADOW_BITS));
	unsigned int n;

	for (n = 0; n < KCSAN_SHADOW_SIZE / 2; n++, h = (h + 1) % KCSAN_SHADOW_SIZE) {
		if (kcsan_shadow[h].addr == addr)
			return &kcsan_shadow[h];
		if (!kcsan_shadow[h].addr) {
			memset(&kcsan_shadow[h], 0, sizeof(kcsan_shadow[h]));
			kcsan_shadow[h].addr = addr;
			kcsan.used[kcsan.nused++] = h;
			return &kcsan_shadow[h];
		}
	}
	/* half full: the rest of the group goes unchecked, and the run says so */
	kcsan.full = true;
	return NULL;
}

/* FastTrack's checks (Flanagan and Freund, PLDI 2009), one byte at a time */
static __no_kcsan void kcsan_access(const volatile void *ptr, size_t size, bool write, void *pc)
{
	const unsigned int *mine;
	uintptr_t a;
	int u;

	if (!kcsan_checking() || kcsan.full)
		return;
	mine = kcsan.clock[sched_self];
	for (a = (uintptr_t)ptr; a < (uintptr_t)ptr + size; a++) {
		struct kcsan_shadow *s = kcsan_shadow_of(a);

		if (!s)
			return;
		if (s->write.clock && s->writer != sched_self &&
		    s->write.clock > mine[s->writer]) {
			kcsan_report(a, s->writer, true, s->write.pc, write, pc);
			return;
		}
		if (!write) {
			s->read[sched_self].clock = mine[sched_self];
			s->read[sched_self].pc = pc;
			continue;
		}
		for (u = 0; u < HARNESS_MAX_TASKS; u++)
			if (u != sched_self && s->read[u].clock &&
			    s->read[u].clock > mine[u]) {
				kcsan_report(a, u, false, s->read[u].pc, write, pc);
				return;
			}
		memset(s->read, 0, sizeof(s->read));
		s->writer = sched_self;
		s->write.clock = mine[sched_self];
		s->write.pc = pc;
	}
}

static __no_kcsan void kcsan_check(const volatile void *ptr, size_t size, bool write, void *pc)
{
	if (kcsan_patch_pc(pc))
		kcsan_access(ptr, size, write, pc);
}

/*
 * A plain access the PCM core makes to a field the code under test shares
 * with it, which the host makes for the core (harness.c): checked as the
 * patch's own are, so that a patch that forgot the lock the core writes the
 * field under races with the core's write.
 */
__no_kcsan void harness_kcsan_core_access(const volatile void *ptr, size_t size, bool write)
{
	kcsan_access(ptr, size, write, __builtin_return_address(0));
}

__no_kcsan const char *harness_kcsan_report(void)
{
	return kcsan.report;
}

/* the compiler's instrumentation (-fsanitize=thread), as kernel/kcsan/core.c defines it */
void __tsan_init(void);
__no_kcsan void __tsan_init(void)
{
}

#define KCSAN_ACCESS(size)							\
	void __tsan_read##size(void *ptr);					\
	__no_kcsan void __tsan_read##size(void *ptr)				\
	{ kcsan_check(ptr, size, false, __builtin_return_address(0)); }	\
	void __tsan_write##size(void *ptr);					\
	__no_kcsan void __tsan_write##size(void *ptr)	\
	{ kcsan_check(ptr, size, true, __builtin_return_address(0)); }	\
	void __tsan_unaligned_read##size(void *ptr);				\
	__no_kcsan void __tsan_unaligned_read##size(void *ptr)	\
	{ kcsan_check(ptr, size, false, __builtin_return_address(0)); }	\
	void __tsan_unaligned_write##size(void *ptr);				\
	__no_kcsan void __tsan_unaligned_write##size(void *ptr)	\
	{ kcsan_check(ptr, size, true, __builtin_return_address(0)); }	\
	void __tsan_volatile_read##size(void *ptr);				\
	__no_kcsan void __tsan_volatile_read##size(void *ptr)	\
	{ }									\
	void __tsan_volatile_write##size(void *ptr);				\
	__no_kcsan void __tsan_volatile_write##size(void *ptr)	\
	{ }

KCSAN_ACCESS(1)
KCSAN_ACCESS(2)
KCSAN_ACCESS(4)
KCSAN_ACCESS(8)
KCSAN_ACCESS(16)

void __tsan_read_range(void *ptr, long size);
__no_kcsan void __tsan_read_range(void *ptr, long size)
{
	kcsan_check(ptr, size, false, __builtin_return_address(0));
}

void __tsan_write_range(void *ptr, long size);
__no_kcsan void __tsan_write_range(void *ptr, long size)
{
	kcsan_check(ptr, size, true, __builtin_return_address(0));
}
