// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for fs/file_table.c: the file slab, file
 * allocation and fput().
 *
 * filp_cachep is SLAB_TYPESAFE_BY_RCU (files_init()): a freed file's memory
 * stays a struct file and is handed to the next file allocated, with no RCU
 * grace period in between.  Only a pointer read under rcu_read_lock() and
 * checked again after taking a reference (__get_file_rcu(), fs/file.c) may
 * trust what it finds there; a pointer kept past the file's last fput()
 * reaches whichever file took the slot.  The slab here does the worst the
 * kernel may: a freed slot is the next one allocated (last in, first out),
 * at once, and its memory never goes back to libc while the harness runs.
 * Freed slots are not ASan-poisoned: reading a freed file's f_count is
 * legal in the kernel (get_file_active() does it, and finds 0 or another
 * file), so a use of a stale file pointer shows as the wrong file, which
 * the harness reports, not as an ASan error.
 *
 * Included by harness.c; one file per kernel file.
 */

struct filp_slot {
	struct file file;
	bool used;
	struct filp_slot *next_free;
};

/* every slot ever allocated, in allocation order; the free ones LIFO */
static struct filp_slot **filp_slots;
static int nr_filp_slots;
static struct filp_slot *filp_free;

static __kcsan_unchecked struct filp_slot *filp_slot(struct file *file)
{
	return container_of(file, struct filp_slot, file);
}

/*
 * whether @file, a file of the slab (every file the code under test is
 * given is a dma-buf's), is allocated now
 */
static __kcsan_unchecked bool file_allocated(struct file *file)
{
	return filp_slot(file)->used;
}

/* alloc_empty_file(): kmem_cache_alloc(filp_cachep), then init_file() */
static __kcsan_unchecked struct file *alloc_empty_file(unsigned int flags)
{
	struct filp_slot *slot = filp_free, **grown;

	if (slot) {
		filp_free = slot->next_free;
	} else {
		grown = realloc(filp_slots, (nr_filp_slots + 1) * sizeof(*grown));
		if (!grown)
			return ERR_PTR(-ENOMEM);
		filp_slots = grown;
		/* the slab's own memory: it outlives every script, no leak of one */
		slot = core_zalloc(sizeof(*slot));
		filp_slots[nr_filp_slots++] = slot;
	}
	slot->used = true;
	slot->next_free = NULL;
	memset(&slot->file, 0, sizeof(slot->file));
	slot->file.f_flags = flags;
	slot->file.f_count = 1;
	return &slot->file;
}

/*
 * alloc_file_pseudo(): a file on a new unhashed dentry of a pseudo
 * filesystem, its mode from the access flags (alloc_file(): FMODE_READ,
 * FMODE_WRITE for O_RDWR).  The kernel's dentry also has an inode
 * (alloc_anon_inode()), whose mapping is the file's f_mapping; the shim
 * keeps the mapping in the file, which every CPU mapping holds.
 */
static __kcsan_unchecked struct file *alloc_file_pseudo(const struct dentry_operations *d_op,
							int flags,
							const struct file_operations *fops)
{
	struct dentry *dentry = d_alloc_pseudo(d_op);
	struct file *file;

	if (!dentry)
		return ERR_PTR(-ENOMEM);
	file = alloc_empty_file(flags);
	if (IS_ERR(file)) {
		dput(dentry);
		return file;
	}
	file->f_path.dentry = dentry;
	file->f_op = fops;
	file->f_mode = FMODE_READ;
	if ((flags & O_ACCMODE) == O_RDWR)
		file->f_mode |= FMODE_WRITE;
	file->f_mapping = &file->mapping;
	INIT_LIST_HEAD(&file->mapping.i_mmap);
	__mutex_init(&file->mapping.i_mmap_rwsem.m, "&mapping->i_mmap_rwsem");
	return file;
}

/* file_free(): kmem_cache_free(filp_cachep); the slot is the next file's */
static __kcsan_unchecked void file_free(struct file *file)
{
	struct filp_slot *slot = filp_slot(file);

	slot->used = false;
	slot->next_free = filp_free;
	filp_free = slot;
}

/*
 * __fput(): the file's release, then dput() of its dentry, then
 * file_free(), in this order: with the dentry held elsewhere, d_release
 * (and with it dma_buf_release()) runs after the file is gone.
 */
static __kcsan_unchecked void __fput(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;

	if (file->f_op && file->f_op->release)
		file->f_op->release(NULL, file);
	dput(dentry);
	file_free(file);
}

/*
 * fput(): the kernel runs __fput() from task work at the return to user
 * space (____fput()); the harness runs it at once, which no op script can
 * tell apart: the next system call comes after that return.
 */
__kcsan_unchecked void fput(struct file *file)
{
	harness_sched_point("fput");
	if (!file_allocated(file)) {
		harness_bug("fput of a freed file");
		return;
	}
	if (file->f_count <= 0) {
		harness_bug("fput of a released file");
		return;
	}
	/* atomic_long_dec_and_test(): fully ordered */
	harness_kcsan_rmw(&file->f_count);
	if (--file->f_count == 0)
		__fput(file);
}

/*
 * harness_reset(): every slot free again, in allocation order, so that each
 * script starts with the same slab and runs the same way whatever ran before
 */
static __kcsan_unchecked void filp_reset(void)
{
	int i;

	filp_free = NULL;
	for (i = nr_filp_slots - 1; i >= 0; i--) {
		filp_slots[i]->used = false;
		filp_slots[i]->next_free = filp_free;
		filp_free = filp_slots[i];
	}
}
