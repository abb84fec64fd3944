// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/locking/mutex.c and spinlock.c: a lock
 * is a flag with an owner.  Outside a scheduled group taking a held lock is
 * a self-deadlock, reported; in a group a task that takes a lock another
 * task holds waits (shim/src/kernel/sched/core.c), as mutex_lock() sleeps
 * and spin_lock() spins.  Taking a mutex is a might_sleep() point
 * (__mutex_lock_common()), releasing one a scheduling point; every
 * acquisition feeds the lock-order graph (lockdep.c).  Included by
 * harness.c.
 */

#include <linux/spinlock.h>
#include <linux/rwsem.h>

static __thread struct harness_site pending_site;

__kcsan_unchecked void harness_lock_site(const char *file, int line)
{
	pending_site.file = file;
	pending_site.line = line;
}

__kcsan_unchecked struct harness_site harness_guard_site(struct harness_site site)
{
	struct harness_site s = pending_site.file ? pending_site : site;

	pending_site.file = NULL;
	return s;
}

void harness_lockdep_acquire(struct mutex *lock, struct harness_site site, bool spin,
			     int subclass, bool read);
void harness_lockdep_release(struct mutex *lock);
int harness_lockdep_spin_depth(void);
const char *harness_lockdep_held_spin(void);

/* kernel/sched/core.c, __might_sleep(): no sleeping with a spinlock held */
__kcsan_unchecked void harness_might_sleep(struct harness_site site)
{
	if (harness_lockdep_spin_depth())
		harness_bug("BUG: sleeping function called from invalid context at %s:%d (%s held)",
			    site_file(site.file), site.line, harness_lockdep_held_spin());
	harness_sched_point("might_sleep");
}

/*
 * The lock is free by now, unless the caller deadlocks on itself or uses a
 * destroyed lock: a writer of an rwsem also needs it free of readers.
 */
static __kcsan_unchecked void take_exclusive(struct mutex *lock, struct harness_site site,
					     const char *what, bool spin, int subclass)
{
	if (lock->locked || lock->readers || lock->destroyed)
		harness_bug("%s of a %s lock %s at %s:%d", what,
			    lock->locked ? "held" : lock->readers ?
			    "read-held" : "destroyed",
			    lock->name ? lock->name : "(unnamed)",
			    site_file(site.file), site.line);
	lock->locked = true;
	lock->owner = sched_self + 1;
	lock->site = site;
	harness_kcsan_acquire(lock);
	harness_lockdep_acquire(lock, site, spin, subclass, false);
}

/*
 * docs/spec.md LIFETIME-NEVER-BLOCKED: the hooks of a hw_params, hw_free or
 * close of a substream that never shared its buffer (harness_hw_free())
 * take no global lock of the code under test, on which the stream would
 * wait for other cards' exports.  A global lock is one in the library's
 * own image (DEFINE_MUTEX()); every other lock is in an object allocated
 * at run time.  The locks found are reported by name, once each, until
 * the host takes the list (harness_global_locks()).
 */
static __thread bool private_hook;
static char global_locks[256];

__kcsan_unchecked void harness_private_hook(bool on)
{
	private_hook = on;
}

static __kcsan_unchecked bool lock_is_global(const struct mutex *lock)
{
	Dl_info where, self;

	return dladdr(lock, &where) && dladdr((const void *)harness_private_hook, &self) &&
	       where.dli_fbase == self.dli_fbase;
}

static __kcsan_unchecked void note_global_lock(const struct mutex *lock)
{
	size_t used = strlen(global_locks);

	if (!private_hook || !lock_is_global(lock) || strstr(global_locks, lock->name))
		return;
	snprintf(global_locks + used, sizeof(global_locks) - used, "%s%s",
		 used ? "," : "", lock->name);
	status.global_locks = strlen(global_locks);
}

__kcsan_unchecked const char *harness_global_locks(void)
{
	static char taken[sizeof(global_locks)];

	memcpy(taken, global_locks, sizeof(taken));
	global_locks[0] = '\0';
	status.global_locks = 0;
	return taken;
}

static __kcsan_unchecked void lock_acquire(struct mutex *lock, struct harness_site site, bool spin,
					   int subclass)
{
	const char *what = spin ? "spin_lock" : "mutex_lock";

	/*
	 * kernel/locking/spinlock_debug.c, debug_spin_lock_before(): a lock
	 * spin_lock_init() never set up is "bad magic" (CONFIG_DEBUG_SPINLOCK);
	 * kernel/locking/mutex-debug.c, debug_mutex_lock_common(): the same of
	 * a mutex mutex_init() never set up (CONFIG_DEBUG_MUTEXES).  Zeroed
	 * memory is no lock: every lock of the harness and of DEFINE_MUTEX()
	 * has its class name from its initialisation.
	 */
	if (!lock->name)
		harness_bug("BUG: %s of a lock never initialised at %s:%d (bad magic: no %s)",
			    what, site_file(site.file), site.line,
			    spin ? "spin_lock_init()" : "mutex_init()");
	if (spin)
		harness_sched_point(what);
	else
		harness_might_sleep(site);
	note_global_lock(lock);
	if (sched_in_group() && lock->locked && !harness_owns(lock->owner))
		sched_wait(lock, site, false);
	take_exclusive(lock, site, what, spin, subclass);
}

static __kcsan_unchecked void lock_release(struct mutex *lock, bool spin)
{
	const char *what = spin ? "spin_unlock" : "mutex_unlock";

	if (!lock->locked)
		harness_bug("%s of a free lock %s", what,
			    lock->name ? lock->name : "(unnamed)");
	else if (!harness_owns(lock->owner))
		harness_bug("%s of %s, which task %d holds", what,
			    lock->name ? lock->name : "(unnamed)", lock->owner - 1);
	harness_kcsan_release(lock);
	lock->locked = false;
	lock->owner = 0;
	harness_lockdep_release(lock);
	harness_sched_point(what);
}

__kcsan_unchecked void harness_mutex_lock(struct mutex *lock, struct harness_site site)
{
	lock_acquire(lock, site, false, 0);
}

/* mutex_lock_nested(): lockdep keys the acquisition by class and subclass */
__kcsan_unchecked void harness_mutex_lock_nested(struct mutex *lock, int subclass,
						 struct harness_site site)
{
	lock_acquire(lock, site, false, subclass);
}

__kcsan_unchecked void harness_mutex_unlock(struct mutex *lock)
{
	lock_release(lock, false);
}

__kcsan_unchecked void harness_spin_lock(spinlock_t *lock, struct harness_site site)
{
	lock_acquire(&lock->m, site, true, 0);
}

__kcsan_unchecked void harness_spin_lock_nested(spinlock_t *lock, int subclass,
						struct harness_site site)
{
	lock_acquire(&lock->m, site, true, subclass);
}

__kcsan_unchecked void harness_spin_unlock(spinlock_t *lock)
{
	lock_release(&lock->m, true);
}

/*
 * kernel/locking/rwsem.c: down_write() is a mutex that also waits for the
 * readers (rwsem_down_write_slowpath()); down_read() waits while a writer
 * holds it or waits for it (rwsem_read_trylock(), rwsem_down_read_slowpath()).
 * The scheduler tells when a waiter may go (sched_blocked()).
 */
static __kcsan_unchecked unsigned int reader_bit(void)
{
	return 1U << (sched_self + 1);
}

__kcsan_unchecked void harness_down_read(struct rw_semaphore *sem, struct harness_site site)
{
	struct mutex *lock = &sem->m;

	harness_might_sleep(site);
	if (sched_in_group())
		sched_wait(lock, site, true);
	if (lock->locked || lock->destroyed || (lock->readers & reader_bit()))
		harness_bug("down_read of a %s rwsem %s at %s:%d",
			    lock->locked ? "write-held" : lock->destroyed ?
			    "destroyed" : "read-held (by this task)",
			    lock->name ? lock->name : "(unnamed)",
			    site_file(site.file), site.line);
	lock->readers |= reader_bit();
	harness_kcsan_acquire(lock);
	harness_lockdep_acquire(lock, site, false, 0, true);
}

__kcsan_unchecked void harness_up_read(struct rw_semaphore *sem)
{
	struct mutex *lock = &sem->m;

	if (!(lock->readers & reader_bit()))
		harness_bug("up_read of %s, which this task does not hold for reading",
			    lock->name ? lock->name : "(unnamed)");
	harness_kcsan_release(lock);
	lock->readers &= ~reader_bit();
	harness_lockdep_release(lock);
	harness_sched_point("up_read");
}

__kcsan_unchecked void harness_down_write(struct rw_semaphore *sem, struct harness_site site)
{
	harness_might_sleep(site);
	if (sched_in_group())
		sched_wait(&sem->m, site, false);
	take_exclusive(&sem->m, site, "down_write", false, 0);
}

__kcsan_unchecked void harness_up_write(struct rw_semaphore *sem)
{
	lock_release(&sem->m, false);
}
