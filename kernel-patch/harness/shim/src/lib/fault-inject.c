// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for lib/fault-inject.c as the task's fail-nth
 * drives it (Documentation/fault-injection/fault-injection.rst: writing N
 * to /proc/thread-self/fail-nth makes the N-th call of a fault site from
 * then on fail, once).  Here every fallible call of the code under test is
 * a fault site (linux/fault-inject.h); the one made to fail is remembered
 * with the errno its failure means and the line that made the call.
 * Included by harness.c (one translation unit), one file per kernel file.
 */

static int fail_nth;
static const char *failed_kind;
static const char *failed_file;
static int failed_line;
static char failed_site[256];

/* a call site as reports name it: its path from the kernel tree's root */
static __kcsan_unchecked const char *site_name(const char *file)
{
	const char *p;

	if ((p = strstr(file, "/shim/src/")))
		return p + strlen("/shim/src/");
	if ((p = strstr(file, "sound/core/")))
		return p;
	p = strrchr(file, '/');
	return p ? p + 1 : file;
}

__kcsan_unchecked bool harness_should_fail(const char *kind, int err, const char *file,
					   int line, int fallible)
{
	if (!fallible)
		return false;
	status.fallible_calls++;
	if (status.fallible_calls != fail_nth)
		return false;
	fail_nth = 0;
	failed_kind = kind;
	failed_file = file;
	failed_line = line;
	status.failed_errno = err;
	return true;
}

__kcsan_unchecked void harness_fail_nth(int nth)
{
	fail_nth = nth;
	status.fallible_calls = 0;
	failed_kind = NULL;
	status.failed_errno = 0;
}

__kcsan_unchecked const char *harness_failed_kind(void)
{
	return failed_kind ? failed_kind : "";
}

__kcsan_unchecked const char *harness_failed_site(void)
{
	if (!failed_kind)
		return "";
	snprintf(failed_site, sizeof(failed_site), "%s:%d",
		 site_name(failed_file), failed_line);
	return failed_site;
}
