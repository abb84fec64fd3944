// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for sound/core/pcm_memory.c: what each revision's
 * patch 0002 adds (steal for revision 1; hand-over, uncharge, free for
 * revision 2). Included by harness.c (one translation unit: it shares the
 * harness's buffers, dma-bufs and fd state); one file per kernel file, so
 * that platform modelling (IOMMU, swiotlb, buffer types) goes where the
 * kernel has it.
 */

/* sound/core/pcm_memory.c as revision 1's patch 0002 extends it */
__kcsan_unchecked bool snd_pcm_lib_steal_pages(struct snd_pcm_substream *substream,
					       struct snd_dma_buffer *dmab)
{
	struct snd_pcm_runtime *runtime = substream->runtime;
	struct snd_dma_buffer *bufp = runtime->dma_buffer_p;

	if (!bufp || !runtime->dma_area)
		return false;
	*dmab = *bufp;
	/* and stops accounting it to the card: decrease_allocated_size() */
	buffer_uncharge(substream->pcm->card, bufp);
	/* a preallocated buffer is taken over as well, its descriptor cleared */
	if (bufp == &substream->dma_buffer) {
		bufp->area = NULL;
		bufp->addr = 0;
		bufp->bytes = 0;
		bufp->private_data = NULL;
	} else {
		kfree(bufp);
	}
	snd_pcm_set_runtime_buffer(substream, NULL);
	return true;
}

/*
 * sound/core/pcm_memory.c as revision 2's patch 0002 extends it: the
 * runtime-private buffer (not &substream->dma_buffer) is handed over and
 * stays charged to the card until it is freed or uncharged.
 */
__kcsan_unchecked bool snd_pcm_lib_hand_over_pages(struct snd_pcm_substream *substream,
						   struct snd_dma_buffer *dmab)
{
	struct snd_pcm_runtime *runtime = substream->runtime;
	struct snd_dma_buffer *bufp = runtime->dma_buffer_p;

	if (!substream->managed_buffer_alloc || !bufp || !runtime->dma_area ||
	    bufp == &substream->dma_buffer)
		return false;
	*dmab = *bufp;
	kfree(bufp);
	snd_pcm_set_runtime_buffer(substream, NULL);
	return true;
}

/* decrease_allocated_size() of the buffer's bytes (harness.c, buffer_uncharge()) */
__kcsan_unchecked void snd_pcm_lib_uncharge_pages(struct snd_card *card,
						  struct snd_dma_buffer *dmab)
{
	if (!card) {
		harness_bug("snd_pcm_lib_uncharge_pages without a card");
		return;
	}
	card_check_live(card, "snd_pcm_lib_uncharge_pages()");
	buffer_uncharge(card, dmab);
}

/* do_free_pages() with its uncharge, or snd_dma_free_pages() once uncharged */
__kcsan_unchecked void snd_pcm_lib_free_handed_over_pages(struct snd_card *card,
							  struct snd_dma_buffer *dmab)
{
	if (card) {
		card_check_live(card, "snd_pcm_lib_free_handed_over_pages()");
		buffer_uncharge(card, dmab);
	}
	snd_dma_free_pages(dmab);
}
