// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/sched/core.c: kernel tasks under a
 * controlled, seeded scheduler.  Each op of a concurrent group of an op
 * script (docs/spec.md SCRIPT-CONCURRENT) runs in a thread of its own,
 * between harness_task_begin() and harness_task_end(), but only the task
 * holding the baton runs: the host (the simulator's World) is touched by
 * one task at a time.  At every scheduling point (a mutex or spinlock taken
 * or released, might_sleep(), harness_sched_point()) the scheduler picks
 * the next task among the runnable ones; a task waiting for a lock another
 * holds is not runnable.  A point with two runnable tasks or more is a
 * decision; a run's decisions are its schedule, and a run given a schedule
 * as its prefix replays it.  After the prefix the policy decides:
 * HARNESS_SCHED_FIRST runs the running task on (the depth-first enumeration
 * of every schedule starts from it), HARNESS_SCHED_PCT is probabilistic
 * concurrency testing (Burckhardt et al., ASPLOS 2010: random task
 * priorities, depth - 1 priority change points among the steps).  No
 * runnable task while some wait is a deadlock: the wait-for cycle is
 * reported, and the waiters are let through so that every thread returns.
 * Included by harness.c.
 */

#include <pthread.h>

#define HARNESS_MAX_TASKS	8
#define HARNESS_MAX_DECISIONS	4096

struct harness_task {
	bool started;
	bool done;
	struct mutex *waiting;		/* the lock it waits for */
	bool wait_read;			/* for reading: a rw_semaphore */
	struct harness_site wait_site;
	int priority;			/* PCT: the highest runs */
};

static pthread_mutex_t sched_baton = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sched_turn = PTHREAD_COND_INITIALIZER;
/* the task this thread runs, -1 for the host outside a group */
static __thread int sched_self = -1;

static struct {
	bool active;
	int ntasks;
	int arrived;
	int running;			/* the task holding the baton, -1 none */
	int policy;
	uint64_t rng;
	int depth;
	int change[HARNESS_MAX_TASKS];	/* PCT's change points, steps 1.. */
	int steps;			/* scheduling points so far */
	int prefix[HARNESS_MAX_DECISIONS];
	int nprefix;
	int choice[HARNESS_MAX_DECISIONS];
	unsigned int runnable[HARNESS_MAX_DECISIONS];
	int ndecisions;
	int status;			/* HARNESS_SCHED_DEADLOCK, ... */
	char report[1024];
	struct harness_task task[HARNESS_MAX_TASKS];
} sched;

/* "sound/core/pcm_dmabuf.c" of the path the compiler was given */
static __kcsan_unchecked const char *site_file(const char *file)
{
	const char *p = strstr(file, "sound/core/");

	if (!p)
		p = strstr(file, "shim/");
	if (!p) {
		p = strrchr(file, '/');
		p = p ? p + 1 : file;
	}
	return p;
}

__kcsan_unchecked bool harness_owns(int owner)
{
	return owner == sched_self + 1;
}

static __kcsan_unchecked bool sched_in_group(void)
{
	return sched.active && sched_self >= 0;
}

static __kcsan_unchecked uint64_t sched_random(void)
{
	/* splitmix64: seeded, the same on every machine */
	uint64_t z = (sched.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* a task of the group other than @t waits to write @lock */
static __kcsan_unchecked int sched_writer_waits(struct mutex *lock, int t)
{
	int u;

	for (u = 0; u < sched.ntasks; u++)
		if (u != t && sched.task[u].waiting == lock &&
		    !sched.task[u].wait_read && !sched.task[u].done)
			return u;
	return -1;
}

/*
 * Whether task @t must go on waiting: its lock is held by a writer, or it
 * waits to write a rw_semaphore that readers hold, or to read one a writer
 * waits for (linux/rwsem.h).
 */
static __kcsan_unchecked bool sched_blocked(int t)
{
	struct harness_task *task = &sched.task[t];
	struct mutex *m = task->waiting;

	if (!m)
		return false;
	if (m->locked)
		return true;
	if (!task->wait_read)
		return m->readers & ~(1U << (t + 1));
	return sched_writer_waits(m, t) >= 0;
}

static __kcsan_unchecked bool task_runnable(int t)
{
	struct harness_task *task = &sched.task[t];

	return task->started && !task->done &&
	       (!sched_blocked(t) || (sched.status & HARNESS_SCHED_DEADLOCK));
}

/* the next task to run, -1 when none can; a choice among two or more is a decision */
static __kcsan_unchecked int sched_pick(void)
{
	unsigned int mask = 0;
	int t, c = -1, n = 0, d;

	for (t = 0; t < sched.ntasks; t++)
		if (task_runnable(t)) {
			mask |= 1U << t;
			n++;
			if (c < 0)
				c = t;
		}
	if (n < 2)
		return c;
	d = sched.ndecisions;
	if (d < sched.nprefix && (mask & (1U << sched.prefix[d]))) {
		c = sched.prefix[d];
	} else {
		if (d < sched.nprefix && !(sched.status & HARNESS_SCHED_DIVERGED)) {
			sched.status |= HARNESS_SCHED_DIVERGED;
			snprintf(sched.report, sizeof(sched.report),
				 "the schedule does not fit: decision %d names task %d, which cannot run",
				 d, sched.prefix[d]);
		}
		if (sched.policy == HARNESS_SCHED_PCT) {
			for (t = 0; t < sched.ntasks; t++)
				if ((mask & (1U << t)) &&
				    sched.task[t].priority > sched.task[c].priority)
					c = t;
		} else if (sched.running >= 0 && (mask & (1U << sched.running))) {
			c = sched.running;
		}
	}
	if (d < HARNESS_MAX_DECISIONS) {
		sched.choice[d] = c;
		sched.runnable[d] = mask;
		sched.ndecisions++;
	} else {
		sched.status |= HARNESS_SCHED_TRUNCATED;
	}
	return c;
}

/* with the baton's lock held: let @next run, and wait for this task's turn */
static __kcsan_unchecked void sched_switch(int next)
{
	sched.running = next;
	pthread_cond_broadcast(&sched_turn);
	while (sched_self >= 0 && sched.running != sched_self)
		pthread_cond_wait(&sched_turn, &sched_baton);
}

__kcsan_unchecked bool harness_sched_deadlocked(void)
{
	return sched_in_group() && (sched.status & HARNESS_SCHED_DEADLOCK);
}

/* the wait-for cycle of the deadlock, task -> lock -> holder -> ... */
static __kcsan_unchecked void sched_deadlock(void)
{
	char *p = sched.report;
	size_t left = sizeof(sched.report);
	bool seen[HARNESS_MAX_TASKS] = { false };
	int t, n;

	sched.status |= HARNESS_SCHED_DEADLOCK;
	for (t = 0; t < sched.ntasks; t++)
		if (!sched.task[t].done && sched.task[t].waiting)
			break;
	if (t == sched.ntasks)
		return;
	n = snprintf(p, left, "deadlock:");
	p += n;
	left -= n;
	while (t >= 0 && !seen[t] && left > 1) {
		struct harness_task *task = &sched.task[t];
		struct mutex *m = task->waiting;
		int holder;

		seen[t] = true;
		if (!m || task->done)
			break;
		/* a writer, else a reader, else the writer a reader queues behind */
		holder = m->locked ? m->owner - 1 :
			 m->readers & ~(1U << (t + 1)) ?
			 __builtin_ctz(m->readers & ~(1U << (t + 1))) - 1 :
			 sched_writer_waits(m, t);
		n = snprintf(p, left, " task %d waits for %s at %s:%d, held by task %d (taken at %s:%d%s);",
			     t, m->name ? m->name : "(unnamed)",
			     site_file(task->wait_site.file), task->wait_site.line,
			     holder, site_file(m->site.file), m->site.line,
			     holder >= 0 && sched.task[holder].done ?
			     ", which returned with it held" : "");
		if (n < 0 || (size_t)n >= left)
			break;
		p += n;
		left -= n;
		t = holder;
	}
}

/* the running task waits for @lock while another task keeps it out (@read: to read a rw_semaphore) */
static __kcsan_unchecked void sched_wait(struct mutex *lock, struct harness_site site, bool read)
{
	struct harness_task *task = &sched.task[sched_self];
	int next;

	pthread_mutex_lock(&sched_baton);
	task->waiting = lock;
	task->wait_read = read;
	task->wait_site = site;
	while (sched_blocked(sched_self) && !(sched.status & HARNESS_SCHED_DEADLOCK)) {
		next = sched_pick();
		if (next < 0) {
			sched_deadlock();
			continue;
		}
		sched_switch(next);
	}
	task->waiting = NULL;
	pthread_mutex_unlock(&sched_baton);
}

__kcsan_unchecked void harness_sched_point(const char *what)
{
	int j;

	(void)what;
	if (!sched_in_group())
		return;
	pthread_mutex_lock(&sched_baton);
	sched.steps++;
	/* PCT: at change point j the running task drops to priority j */
	if (sched.policy == HARNESS_SCHED_PCT)
		for (j = 1; j < sched.depth; j++)
			if (sched.change[j] == sched.steps)
				sched.task[sched_self].priority = j;
	sched_switch(sched_pick());
	pthread_mutex_unlock(&sched_baton);
}

/* kernel/kcsan/core.c */
void harness_kcsan_group_start(int tasks);
bool harness_kcsan_group_end(void);

__kcsan_unchecked void harness_sched_start(int tasks, int policy, long seed, int depth, int steps)
{
	int i, j, t;

	pthread_mutex_lock(&sched_baton);
	memset(&sched, 0, sizeof(sched));
	if (tasks < 1 || tasks > HARNESS_MAX_TASKS) {
		sched.status = HARNESS_SCHED_DIVERGED;
		snprintf(sched.report, sizeof(sched.report),
			 "a group of %d tasks: the scheduler runs 1 to %d", tasks,
			 HARNESS_MAX_TASKS);
		pthread_mutex_unlock(&sched_baton);
		return;
	}
	sched.active = true;
	harness_kcsan_group_start(tasks);
	sched.ntasks = tasks;
	sched.running = -1;
	sched.policy = policy;
	sched.rng = (uint64_t)seed;
	sched.depth = depth < 1 ? 1 : depth > HARNESS_MAX_TASKS ? HARNESS_MAX_TASKS : depth;
	/* PCT: distinct initial priorities depth.., a random permutation */
	for (i = 0; i < tasks; i++)
		sched.task[i].priority = sched.depth + i;
	for (i = tasks - 1; i > 0; i--) {
		j = sched_random() % (i + 1);
		t = sched.task[i].priority;
		sched.task[i].priority = sched.task[j].priority;
		sched.task[j].priority = t;
	}
	for (j = 1; j < sched.depth; j++)
		sched.change[j] = 1 + sched_random() % (steps < 1 ? 1 : steps);
	pthread_mutex_unlock(&sched_baton);
}

__kcsan_unchecked void harness_sched_prefix(int decision, int task)
{
	if (decision < 0 || decision >= HARNESS_MAX_DECISIONS ||
	    task < 0 || task >= HARNESS_MAX_TASKS)
		return;
	sched.prefix[decision] = task;
	if (sched.nprefix <= decision)
		sched.nprefix = decision + 1;
}

__kcsan_unchecked void harness_task_begin(int task)
{
	pthread_mutex_lock(&sched_baton);
	if (!sched.active || task < 0 || task >= sched.ntasks ||
	    sched.task[task].started) {
		pthread_mutex_unlock(&sched_baton);
		harness_bug("harness_task_begin(%d) outside a scheduled group", task);
		return;
	}
	sched_self = task;
	sched.task[task].started = true;
	if (++sched.arrived == sched.ntasks)
		sched.running = sched_pick();
	pthread_cond_broadcast(&sched_turn);
	while (sched.running != sched_self)
		pthread_cond_wait(&sched_turn, &sched_baton);
	pthread_mutex_unlock(&sched_baton);
}

void harness_lockdep_task_end(void);

__kcsan_unchecked void harness_task_end(void)
{
	int next, t;

	if (sched_self < 0)
		return;
	harness_lockdep_task_end();
	pthread_mutex_lock(&sched_baton);
	sched.task[sched_self].done = true;
	next = sched_pick();
	if (next < 0) {
		for (t = 0; t < sched.ntasks; t++)
			if (!sched.task[t].done)
				break;
		if (t < sched.ntasks) {
			sched_deadlock();
			next = sched_pick();
		}
	}
	sched.running = next;
	sched_self = -1;
	pthread_cond_broadcast(&sched_turn);
	pthread_mutex_unlock(&sched_baton);
}

__kcsan_unchecked int harness_sched_finish(void)
{
	int status;

	pthread_mutex_lock(&sched_baton);
	sched.active = false;
	if (harness_kcsan_group_end())
		sched.status |= HARNESS_SCHED_RACE;
	status = sched.status;
	pthread_mutex_unlock(&sched_baton);
	return status;
}

__kcsan_unchecked int harness_sched_decisions(void)
{
	return sched.ndecisions;
}

__kcsan_unchecked int harness_sched_choice(int decision)
{
	return decision >= 0 && decision < sched.ndecisions ? sched.choice[decision] : -1;
}

__kcsan_unchecked int harness_sched_runnable(int decision)
{
	return decision >= 0 && decision < sched.ndecisions ? (int)sched.runnable[decision] : 0;
}

__kcsan_unchecked int harness_sched_steps(void)
{
	return sched.steps;
}

__kcsan_unchecked const char *harness_sched_report(void)
{
	return sched.report;
}
