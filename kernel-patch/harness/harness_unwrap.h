/* SPDX-License-Identifier: GPL-2.0 */
/*
 * After pcm_dmabuf.c: the shim headers wrap the kernel calls the code under
 * test makes (fault injection and accounting, linux/fault-inject.h) with
 * macros of the functions' own names.  The shims define those functions and
 * call each other unwrapped, and the harness's model of the PCM core is no
 * code under test, so the wrappers end here.
 */
#undef sg_alloc_table
#undef sg_alloc_table_from_pages
#undef sg_alloc_table_from_pages_segment
#undef sg_free_table
#undef dma_get_sgtable
#undef dma_map_sgtable
#undef dma_unmap_sgtable
#undef get_unused_fd_flags
#undef put_unused_fd
#undef fd_install
#undef dma_buf_export
#undef dma_buf_get
#undef dma_buf_attach
#undef dma_buf_detach
#undef dma_buf_map_attachment_unlocked
#undef dma_buf_unmap_attachment_unlocked
#undef dma_buf_vmap_unlocked
#undef dma_buf_vunmap_unlocked
#undef snd_dma_buffer_mmap
#undef remap_pfn_range
#undef snd_pcm_lib_hand_over_pages
#undef snd_pcm_lib_free_handed_over_pages
