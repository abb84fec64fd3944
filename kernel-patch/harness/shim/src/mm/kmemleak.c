// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's accounting of what the code under test acquires, in the
 * manner of mm/kmemleak.c (an object not freed is reported with the place
 * that allocated it) and of SLUB's debugging (mm/slub.c: a free of memory
 * no allocation returned, a double free; freed objects poisoned with
 * POISON_FREE, include/linux/poison.h).  Besides memory it counts every
 * other pair the code must balance (linux/fault-inject.h, enum
 * harness_obj).  Included by harness.c (one translation unit), one file per
 * kernel file.
 *
 * Freed memory is kept, poisoned, until harness_reset(), so that a use
 * after free reads POISON_FREE and a double free finds its first free; the
 * ASan build frees it at once instead, ASan's quarantine doing the same.
 */

#define POISON_FREE	0x6b

struct harness_record {
	enum harness_obj kind;
	const void *key;
	size_t size;
	const char *what;		/* the call that acquired it */
	const char *file;
	int line;
	const char *free_file;		/* NULL while held */
	int free_line;
	bool core;			/* the harness's own: never a leak */
	bool reported;
	void *quarantined;		/* freed memory, released at reset */
};

static const char *const obj_acquire[HARNESS_OBJ_KINDS] = {
	[HARNESS_OBJ_MEMORY] = "kmalloc",
	[HARNESS_OBJ_VMAP] = "dma_buf_vmap_unlocked",
	[HARNESS_OBJ_DMA_MAP] = "dma_map_sgtable",
	[HARNESS_OBJ_SG_TABLE] = "sg_alloc_table",
	[HARNESS_OBJ_ATTACH] = "dma_buf_attach",
	[HARNESS_OBJ_MAPPED] = "dma_buf_map_attachment_unlocked",
	[HARNESS_OBJ_DEVICE] = "get_device",
	[HARNESS_OBJ_MUTEX] = "mutex_init",
	[HARNESS_OBJ_FD] = "get_unused_fd_flags",
	[HARNESS_OBJ_MM] = "mmgrab",
	[HARNESS_OBJ_MM_USERS] = "mmget_not_zero",
	[HARNESS_OBJ_PAGES] = "snd_pcm_lib_hand_over_pages",
};

static const char *const obj_release[HARNESS_OBJ_KINDS] = {
	[HARNESS_OBJ_MEMORY] = "kfree",
	[HARNESS_OBJ_VMAP] = "dma_buf_vunmap_unlocked",
	[HARNESS_OBJ_DMA_MAP] = "dma_unmap_sgtable",
	[HARNESS_OBJ_SG_TABLE] = "sg_free_table",
	[HARNESS_OBJ_ATTACH] = "dma_buf_detach",
	[HARNESS_OBJ_MAPPED] = "dma_buf_unmap_attachment_unlocked",
	[HARNESS_OBJ_DEVICE] = "put_device",
	[HARNESS_OBJ_MUTEX] = "mutex_destroy",
	[HARNESS_OBJ_FD] = "put_unused_fd or fd_install",
	[HARNESS_OBJ_MM] = "mmdrop",
	[HARNESS_OBJ_MM_USERS] = "mmput",
	[HARNESS_OBJ_PAGES] = "snd_pcm_lib_free_handed_over_pages",
};

static struct harness_record *records;
static size_t nrecords, records_cap;

/* the latest record of @kind for @key: held before released */
static __kcsan_unchecked struct harness_record *record_of(enum harness_obj kind, const void *key,
							  bool held)
{
	size_t i;

	for (i = nrecords; i-- > 0;)
		if (records[i].kind == kind && records[i].key == key &&
		    !records[i].free_file == held)
			return &records[i];
	return NULL;
}

static __kcsan_unchecked void record_drop(struct harness_record *r)
{
	*r = records[--nrecords];
}

static __kcsan_unchecked void obj_get(enum harness_obj kind, const void *key, size_t size,
				      const char *what, const char *file, int line, int core)
{
	struct harness_record *r;

	/* memory freed and allocated again: its old record is history */
	if (kind == HARNESS_OBJ_MEMORY && (r = record_of(kind, key, false)))
		record_drop(r);
	if (nrecords == records_cap) {
		records_cap = records_cap ? 2 * records_cap : 256;
		records = realloc(records, records_cap * sizeof(*records));
		if (!records)
			abort();
	}
	records[nrecords++] = (struct harness_record) {
		.kind = kind, .key = key, .size = size, .what = what,
		.file = file, .line = line, .core = core,
	};
}

__kcsan_unchecked void harness_obj_get(enum harness_obj kind, const void *key, size_t size,
				       const char *file, int line, int core)
{
	obj_get(kind, key, size, obj_acquire[kind], file, line, core);
}

__kcsan_unchecked bool harness_obj_put(enum harness_obj kind, const void *key,
				       const char *file, int line)
{
	struct harness_record *r = record_of(kind, key, true);

	if (!r) {
		harness_bug("%s:%d: %s of %p, which no %s holds (FAULT-NO-LEAK)",
			    site_name(file), line, obj_release[kind], key,
			    obj_acquire[kind]);
		return false;
	}
	record_drop(r);
	return true;
}

__kcsan_unchecked void *harness_kmalloc(size_t n, size_t size, const char *kind,
					const char *file, int line, int fallible)
{
	void *p;

	/* include/linux/slab.h, kmalloc_array(): an overflowing size fails */
	if (size && n > SIZE_MAX / size)
		return NULL;
	if (harness_should_fail(kind, -ENOMEM, file, line, fallible))
		return NULL;
	p = calloc(1, n && size ? n * size : 1);
	if (!p)
		abort();
	obj_get(HARNESS_OBJ_MEMORY, p, n * size, kind, file, line, 0);
	return p;
}

__kcsan_unchecked void *harness_core_zalloc(size_t size, const char *file, int line)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		abort();
	obj_get(HARNESS_OBJ_MEMORY, p, size, "core_zalloc", file, line, 1);
	return p;
}

__kcsan_unchecked void harness_kfree(const void *p, const char *file, int line)
{
	struct harness_record *r;

	if (!p)
		return;
	r = record_of(HARNESS_OBJ_MEMORY, p, true);
	if (!r) {
		r = record_of(HARNESS_OBJ_MEMORY, p, false);
		if (r)
			harness_bug("%s:%d: double free of %p, allocated at %s:%d, freed at %s:%d (FAULT-NO-LEAK)",
				    site_name(file), line, p, site_name(r->file),
				    r->line, site_name(r->free_file), r->free_line);
		else
			harness_bug("%s:%d: kfree of %p, which no allocation returned (FAULT-NO-LEAK)",
				    site_name(file), line, p);
		return;
	}
	r->free_file = file;
	r->free_line = line;
	/*
	 * After a deadlock the waiters run on without their locks: the run is
	 * failed already, and a use after free of what one frees under the
	 * other must not take the process down before the deadlock is reported.
	 */
	if (!harness_sched_deadlocked())
		memset((void *)p, POISON_FREE, r->size);
#ifdef __SANITIZE_ADDRESS__
	free((void *)p);
#else
	r->quarantined = (void *)p;
#endif
}

/*
 * What the code under test still holds, when nothing may hold anything:
 * one report naming the kind and acquiring line of each object (the first
 * few), each object reported once.  Returns how many are held.
 */
__kcsan_unchecked int harness_account_check(void)
{
	char msg[400];
	size_t i, len = 0;
	int n = 0;

	for (i = 0; i < nrecords; i++) {
		struct harness_record *r = &records[i];

		if (r->free_file || r->core || r->reported)
			continue;
		r->reported = true;
		if (n++ < 3 && len < sizeof(msg))
			len += snprintf(msg + len, sizeof(msg) - len, "%s%s at %s:%d",
					n > 1 ? ", " : "", r->what,
					site_name(r->file), r->line);
	}
	if (n)
		harness_bug("leak: nothing holds the exporter's objects any more, yet %d %s held: %s%s (FAULT-NO-LEAK)",
			    n, n == 1 ? "is" : "are", msg, n > 3 ? ", ..." : "");
	return n;
}

/* harness_reset(): the script's objects are gone; their memory too */
static __kcsan_unchecked void account_reset(void)
{
	size_t i;

	for (i = 0; i < nrecords; i++)
		free(records[i].quarantined);
	nrecords = 0;
}
