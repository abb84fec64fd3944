package org.pcmdmabuf.model;

/** struct snd_pcm_file: a PCM file's link to its substream. */
public record PcmFile(Substream substream) implements FilePrivate {
}
