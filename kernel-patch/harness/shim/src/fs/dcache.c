// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for fs/dcache.c: a dentry's reference count and its
 * end.  What matters for the code under test is when d_release runs: the
 * dma-buf core frees the struct dma_buf there (drivers/dma-buf/dma-buf.c,
 * dma_buf_release() via dma_buf_dentry_ops), not when its file goes, so
 * a path reference (an O_PATH open of /proc/PID/fd/N, fs/proc/fd.c,
 * proc_fd_link(): path_get() of the file's f_path) keeps the dma-buf after
 * its file was freed.  Dentries are plain heap objects (dentry_cache is no
 * SLAB_TYPESAFE_BY_RCU cache), so ASan sees a use after d_release.
 * Included by harness.c; one file per kernel file.
 */

static struct list_head dentries = { &dentries, &dentries };

/*
 * d_alloc_pseudo(): an unhashed dentry, with the operations of its
 * filesystem (dma_buf_fs_init_context() sets dma_buf_dentry_ops)
 */
static __kcsan_unchecked struct dentry *d_alloc_pseudo(const struct dentry_operations *d_op)
{
	struct dentry *dentry = kzalloc(sizeof(*dentry), GFP_KERNEL);

	if (!dentry)
		return NULL;
	dentry->d_count = 1;
	dentry->d_op = d_op;
	list_add_tail(&dentry->d_node, &dentries);
	return dentry;
}

__kcsan_unchecked struct dentry *dget(struct dentry *dentry)
{
	if (dentry->d_count <= 0)
		harness_bug("dget of a dead dentry");
	dentry->d_count++;
	return dentry;
}

/* dentry_kill() -> __dentry_kill(): d_release, then dentry_free() */
static __kcsan_unchecked void dentry_kill(struct dentry *dentry)
{
	list_del_init(&dentry->d_node);
	if (dentry->d_op && dentry->d_op->d_release)
		dentry->d_op->d_release(dentry);
	kfree(dentry);
}

/*
 * dput(): an unhashed dentry (every pseudo filesystem's: retain_dentry()
 * keeps none of them) is killed at its last reference
 */
__kcsan_unchecked void dput(struct dentry *dentry)
{
	if (!dentry)
		return;
	if (dentry->d_count <= 0) {
		harness_bug("dput of a dead dentry");
		return;
	}
	if (--dentry->d_count == 0)
		dentry_kill(dentry);
}

/* harness_reset(): every dentry a script left goes without its d_release */
static __kcsan_unchecked void dcache_reset(void)
{
	while (!list_empty(&dentries)) {
		struct dentry *dentry = list_entry(dentries.next, struct dentry,
						   d_node);

		list_del_init(&dentry->d_node);
		kfree(dentry);
	}
}
