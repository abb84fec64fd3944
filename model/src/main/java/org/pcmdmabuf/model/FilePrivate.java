package org.pcmdmabuf.model;

/** What a struct file's private_data points at: a PCM file or a dma-buf; or what an O_PATH file's path names. */
public sealed interface FilePrivate permits PcmFile, DmaBuf, PathFile {
}
