/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/list.h>: the doubly linked list pcm_dmabuf.c
 * walks, as a CONFIG_DEBUG_LIST kernel has it: list_del() poisons the entry
 * (include/linux/poison.h), and every add and delete is checked first as
 * lib/list_debug.c checks it (shim/src/lib/list_debug.c), a corrupt one
 * reported and not done.
 */
#ifndef _SHIM_LINUX_LIST_H
#define _SHIM_LINUX_LIST_H

#include <linux/types.h>

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(ptr, type, member)	container_of(ptr, type, member)

/* include/linux/poison.h, with POISON_POINTER_DELTA 0 */
#define LIST_POISON1	((void *)0x100)
#define LIST_POISON2	((void *)0x122)

bool __list_add_valid_or_report(struct list_head *new, struct list_head *prev,
				struct list_head *next, const char *file, int line);
bool __list_del_entry_valid_or_report(struct list_head *entry,
				      const char *file, int line);

#define LIST_HEAD(name)	struct list_head name = { &(name), &(name) }

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_entry((head)->next, type, member))

static inline void __list_add_at(struct list_head *new, struct list_head *prev,
				 struct list_head *next, const char *file, int line)
{
	if (!__list_add_valid_or_report(new, prev, next, file, line))
		return;
	next->prev = new;
	new->next = next;
	new->prev = prev;
	prev->next = new;
}

#define list_add(new, head)						\
	__list_add_at((new), (head), (head)->next, __FILE__, __LINE__)
#define list_add_tail(new, head)					\
	__list_add_at((new), (head)->prev, (head), __FILE__, __LINE__)

static inline void __list_del_at(struct list_head *entry, bool init,
				 const char *file, int line)
{
	if (!__list_del_entry_valid_or_report(entry, file, line))
		return;
	entry->prev->next = entry->next;
	entry->next->prev = entry->prev;
	if (init) {
		INIT_LIST_HEAD(entry);
	} else {
		entry->next = LIST_POISON1;
		entry->prev = LIST_POISON2;
	}
}

#define list_del(entry)		__list_del_at((entry), false, __FILE__, __LINE__)
#define list_del_init(entry)	__list_del_at((entry), true, __FILE__, __LINE__)

#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, typeof(*pos), member))

#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry((head)->next, typeof(*pos), member),	\
	     n = list_entry(pos->member.next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = n, n = list_entry(n->member.next, typeof(*n), member))

#endif
