// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for lib/list_debug.c (CONFIG_DEBUG_LIST): the
 * checks of every list add and delete, with the kernel's conditions and
 * words; a corrupt operation is reported (CHECK_DATA_CORRUPTION()) and not
 * done.  Included by harness.c (one translation unit), one file per kernel
 * file.
 */

__kcsan_unchecked bool __list_add_valid_or_report(struct list_head *new, struct list_head *prev,
						  struct list_head *next, const char *file, int line)
{
	if (!prev || !next) {
		harness_bug("%s:%d: list_add corruption. %s is NULL.",
			    site_name(file), line, prev ? "next" : "prev");
		return false;
	}
	if (next->prev != prev) {
		harness_bug("%s:%d: list_add corruption. next->prev should be prev (%p), but was %p. (next=%p).",
			    site_name(file), line, (void *)prev, (void *)next->prev,
			    (void *)next);
		return false;
	}
	if (prev->next != next) {
		harness_bug("%s:%d: list_add corruption. prev->next should be next (%p), but was %p. (prev=%p).",
			    site_name(file), line, (void *)next, (void *)prev->next,
			    (void *)prev);
		return false;
	}
	if (new == prev || new == next) {
		harness_bug("%s:%d: list_add double add: new=%p, prev=%p, next=%p.",
			    site_name(file), line, (void *)new, (void *)prev,
			    (void *)next);
		return false;
	}
	return true;
}

__kcsan_unchecked bool __list_del_entry_valid_or_report(struct list_head *entry, const char *file,
							int line)
{
	struct list_head *prev = entry->prev, *next = entry->next;

	if (!next || !prev) {
		harness_bug("%s:%d: list_del corruption, %p->%s is NULL",
			    site_name(file), line, (void *)entry,
			    next ? "prev" : "next");
		return false;
	}
	if (next == LIST_POISON1 || prev == LIST_POISON2) {
		harness_bug("%s:%d: list_del corruption, %p->%s is LIST_POISON%d (%p): deleted already",
			    site_name(file), line, (void *)entry,
			    next == LIST_POISON1 ? "next" : "prev",
			    next == LIST_POISON1 ? 1 : 2,
			    next == LIST_POISON1 ? LIST_POISON1 : LIST_POISON2);
		return false;
	}
	if (prev->next != entry) {
		harness_bug("%s:%d: list_del corruption. prev->next should be %p, but was %p. (prev=%p)",
			    site_name(file), line, (void *)entry,
			    (void *)prev->next, (void *)prev);
		return false;
	}
	if (next->prev != entry) {
		harness_bug("%s:%d: list_del corruption. next->prev should be %p, but was %p. (next=%p)",
			    site_name(file), line, (void *)entry,
			    (void *)next->prev, (void *)next);
		return false;
	}
	return true;
}
