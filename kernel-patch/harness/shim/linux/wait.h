/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/wait.h>: no task of the harness sleeps on
 * a PCM stream's queue (a blocking transfer is the host's), so a queue only
 * counts its wake-ups.
 */
#ifndef _SHIM_LINUX_WAIT_H
#define _SHIM_LINUX_WAIT_H

typedef struct {
	unsigned int wakeups;
} wait_queue_head_t;

static inline void wake_up(wait_queue_head_t *wq)
{
	wq->wakeups++;
}

#endif
