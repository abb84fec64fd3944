// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/locking/lockdep.c: the locks each task
 * holds, and the lock-order graph over every run since
 * harness_lockdep_reset().  A class is a lock's name (the argument of its
 * mutex_init(), spin_lock_init() or DEFINE_MUTEX(), as lockdep keys a class
 * by its init site); taking B while holding A adds the edge A -> B
 * (check_prev_add()).  An edge that closes a cycle is a possible deadlock,
 * reported with the sites of both acquisitions of every edge of the cycle,
 * whether or not any schedule deadlocked (check_noncircular()); taking a
 * lock of a class already held is possible recursive locking
 * (check_deadlock()).  Included by harness.c.
 */

#define HARNESS_MAX_CLASSES	32
#define HARNESS_MAX_HELD	16
#define HARNESS_MAX_REPORTS	8

struct held_lock {
	struct mutex *lock;
	int class;
	struct harness_site site;
	bool spin;
	bool read;
};

/* one per task, and the host's last */
static struct lockdep_context {
	struct held_lock held[HARNESS_MAX_HELD];
	int depth;
	int spin_depth;
} lockdep_context[HARNESS_MAX_TASKS + 1];

static const char *lock_classes[HARNESS_MAX_CLASSES];
static int nlock_classes;
/* the names of subclasses, "class/N": lockdep keys a nested acquisition apart */
static char subclass_names[HARNESS_MAX_CLASSES][96];

/* the first acquisitions that made each edge: @from held, @to taken */
static struct lock_order {
	bool edge;
	struct harness_site from;
	struct harness_site to;
} lock_order[HARNESS_MAX_CLASSES][HARNESS_MAX_CLASSES];

static char lockdep_reports[HARNESS_MAX_REPORTS][768];
static int nlockdep_reports;

static __kcsan_unchecked struct lockdep_context *lockdep_current(void)
{
	return &lockdep_context[sched_self >= 0 ? sched_self : HARNESS_MAX_TASKS];
}

static __kcsan_unchecked int lock_class(const char *name)
{
	int i;

	if (!name)
		name = "(unnamed)";
	for (i = 0; i < nlock_classes; i++)
		if (!strcmp(lock_classes[i], name))
			return i;
	if (nlock_classes == HARNESS_MAX_CLASSES)
		return HARNESS_MAX_CLASSES - 1;
	lock_classes[nlock_classes] = name;
	return nlock_classes++;
}

/*
 * The class of an acquisition with @subclass (mutex_lock_nested(),
 * spin_lock_nested()): a class of its own per subclass, as lockdep's
 * look_up_lock_class() keys it, so that taking a second lock of one class
 * with SINGLE_DEPTH_NESTING is no recursion.
 */
static __kcsan_unchecked int lock_subclass(const char *name, int subclass)
{
	char text[96];
	int i;

	if (!subclass)
		return lock_class(name);
	snprintf(text, sizeof(text), "%s/%d", name ? name : "(unnamed)", subclass);
	for (i = 0; i < nlock_classes; i++)
		if (!strcmp(lock_classes[i], text))
			return i;
	if (nlock_classes == HARNESS_MAX_CLASSES)
		return HARNESS_MAX_CLASSES - 1;
	memcpy(subclass_names[nlock_classes], text, sizeof(text));
	lock_classes[nlock_classes] = subclass_names[nlock_classes];
	return nlock_classes++;
}

static __kcsan_unchecked void lockdep_report(const char *text)
{
	int i;

	for (i = 0; i < nlockdep_reports; i++)
		if (!strcmp(lockdep_reports[i], text))
			return;
	if (nlockdep_reports < HARNESS_MAX_REPORTS)
		snprintf(lockdep_reports[nlockdep_reports++],
			 sizeof(lockdep_reports[0]), "%s", text);
}

/* appends "A -> B (A held at .., B taken at ..)" */
static __kcsan_unchecked int print_edge(char *p, size_t left, int a, int b)
{
	struct lock_order *o = &lock_order[a][b];

	return snprintf(p, left, "%s -> %s (%s held at %s:%d, %s taken at %s:%d)",
			lock_classes[a], lock_classes[b], lock_classes[a],
			site_file(o->from.file), o->from.line, lock_classes[b],
			site_file(o->to.file), o->to.line);
}

/* an existing path @from -> ... -> @to, breadth first; its length, 0 for none */
static __kcsan_unchecked int lock_path(int from, int to, int *path)
{
	int prev[HARNESS_MAX_CLASSES], queue[HARNESS_MAX_CLASSES];
	int head = 0, tail = 0, i, c, n;

	for (i = 0; i < HARNESS_MAX_CLASSES; i++)
		prev[i] = -2;
	prev[from] = -1;
	queue[tail++] = from;
	while (head < tail) {
		c = queue[head++];
		if (c == to)
			break;
		for (i = 0; i < nlock_classes; i++)
			if (lock_order[c][i].edge && prev[i] == -2) {
				prev[i] = c;
				queue[tail++] = i;
			}
	}
	if (prev[to] == -2)
		return 0;
	n = 0;
	for (c = to; c >= 0; c = prev[c])
		n++;
	i = n;
	for (c = to; c >= 0; c = prev[c])
		path[--i] = c;
	return n;
}

/*
 * @held_read, @taken_read: read acquisitions of a rw_semaphore.  6.12's
 * lockdep labels each dependency with them and reports a cycle only along a
 * strong path, one with no -(*R)-> followed by -(S*)-> (check_noncircular(),
 * Documentation/locking/lockdep-design.rst): a recursive reader (read 2,
 * rwlock_t in_interrupt()) may pass a reader, so read-read is no inversion
 * for it.  down_read() is a non-recursive read (read 1): a writer that
 * waits blocks new readers, so every path of rwsem and mutex edges is strong
 * and any cycle is reported, as is a second read of one class
 * (check_deadlock() spares only read 2 after a read).
 */
static __kcsan_unchecked void lock_order_add(int a, int b, struct harness_site held,
					     struct harness_site taken, bool held_read,
					     bool taken_read)
{
	char text[768], *p = text;
	int path[HARNESS_MAX_CLASSES], n, i, w;
	size_t left = sizeof(text);

	if (a == b) {
		snprintf(text, sizeof(text),
			 "possible recursive locking: %s taken%s at %s:%d while one is held%s since %s:%d",
			 lock_classes[a], taken_read ? " for reading" : "",
			 site_file(taken.file), taken.line,
			 held_read ? " for reading" : "",
			 site_file(held.file), held.line);
		lockdep_report(text);
		return;
	}
	if (lock_order[a][b].edge)
		return;
	lock_order[a][b].edge = true;
	lock_order[a][b].from = held;
	lock_order[a][b].to = taken;
	n = lock_path(b, a, path);
	if (!n)
		return;
	w = snprintf(p, left, "possible circular locking dependency: ");
	p += w;
	left -= w;
	w = print_edge(p, left, a, b);
	p += w;
	left -= w;
	for (i = 0; i + 1 < n && left > 1; i++) {
		w = snprintf(p, left, "; ");
		p += w;
		left -= w;
		w = print_edge(p, left, path[i], path[i + 1]);
		if (w < 0 || (size_t)w >= left)
			break;
		p += w;
		left -= w;
	}
	lockdep_report(text);
}

__kcsan_unchecked void harness_lockdep_acquire(struct mutex *lock, struct harness_site site,
					       bool spin, int subclass, bool read)
{
	struct lockdep_context *ctx = lockdep_current();
	int class = lock_subclass(lock->name, subclass), i;

	for (i = 0; i < ctx->depth; i++)
		lock_order_add(ctx->held[i].class, class, ctx->held[i].site, site,
			       ctx->held[i].read, read);
	if (ctx->depth == HARNESS_MAX_HELD) {
		harness_bug("more than %d locks held", HARNESS_MAX_HELD);
		return;
	}
	ctx->held[ctx->depth++] = (struct held_lock){ lock, class, site, spin, read };
	if (spin)
		ctx->spin_depth++;
}

__kcsan_unchecked void harness_lockdep_release(struct mutex *lock)
{
	struct lockdep_context *ctx = lockdep_current();
	int i;

	for (i = ctx->depth - 1; i >= 0; i--)
		if (ctx->held[i].lock == lock)
			break;
	if (i < 0)
		return;
	if (ctx->held[i].spin)
		ctx->spin_depth--;
	memmove(&ctx->held[i], &ctx->held[i + 1],
		(ctx->depth - i - 1) * sizeof(ctx->held[0]));
	ctx->depth--;
}

__kcsan_unchecked int harness_lockdep_spin_depth(void)
{
	return lockdep_current()->spin_depth;
}

__kcsan_unchecked const char *harness_lockdep_held_spin(void)
{
	struct lockdep_context *ctx = lockdep_current();
	int i;

	for (i = ctx->depth - 1; i >= 0; i--)
		if (ctx->held[i].spin)
			return lock_classes[ctx->held[i].class];
	return "no spinlock";
}

/* kernel/exit.c, lockdep's debug_check_no_locks_held(): back to user space with none */
__kcsan_unchecked void harness_lockdep_task_end(void)
{
	struct lockdep_context *ctx = lockdep_current();

	if (ctx->depth)
		harness_bug("task %d returned to user space with %s held (taken at %s:%d)",
			    sched_self, lock_classes[ctx->held[0].class],
			    site_file(ctx->held[0].site.file), ctx->held[0].site.line);
	ctx->depth = 0;
	ctx->spin_depth = 0;
}

/* the held locks of every context: a reset frees every lock with its object */
__kcsan_unchecked void harness_lockdep_forget_held(void)
{
	memset(lockdep_context, 0, sizeof(lockdep_context));
}

__kcsan_unchecked int harness_lockdep_reports(void)
{
	return nlockdep_reports;
}

__kcsan_unchecked const char *harness_lockdep_report(int i)
{
	return i >= 0 && i < nlockdep_reports ? lockdep_reports[i] : "";
}

/*
 * The edges 6.12 has on paths the harness does not run, between locks the
 * patch's paths take.  The OSS emulation's mmap, called with the mm's
 * mmap_lock held for writing (mm/util.c, vm_mmap_pgoff()), changes the
 * parameters (sound/core/oss/pcm_oss.c, snd_pcm_oss_mmap() ->
 * snd_pcm_oss_change_params(): params_lock by mutex_trylock(), which adds
 * no edge, then snd_pcm_kernel_ioctl(SNDRV_PCM_IOCTL_HW_PARAMS)), and
 * snd_pcm_hw_params() takes runtime->buffer_mutex
 * (sound/core/pcm_native.c, snd_pcm_buffer_access_lock()).
 */
static __kcsan_unchecked void lockdep_kernel_edges(void)
{
	lock_order_add(lock_class("mmap_lock"), lock_class("&runtime->buffer_mutex"),
		       (struct harness_site){ "sound/core/oss/pcm_oss.c", 2932 },
		       (struct harness_site){ "sound/core/pcm_native.c", 766 },
		       false, false);
}

__kcsan_unchecked void harness_lockdep_reset(void)
{
	memset(lock_order, 0, sizeof(lock_order));
	nlock_classes = 0;
	nlockdep_reports = 0;
	lockdep_kernel_edges();
}
