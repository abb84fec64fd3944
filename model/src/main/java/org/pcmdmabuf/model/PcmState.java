package org.pcmdmabuf.model;

/** snd_pcm_state_t (include/uapi/sound/asound.h), in kernel order. */
public enum PcmState {
    OPEN, SETUP, PREPARED, RUNNING, XRUN, DRAINING, PAUSED, SUSPENDED, DISCONNECTED
}
