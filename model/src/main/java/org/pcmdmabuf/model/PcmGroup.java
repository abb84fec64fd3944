package org.pcmdmabuf.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * struct snd_pcm_group of substreams linked with SNDRV_PCM_IOCTL_LINK (sound/core/pcm_native.c): a trigger
 * action on one member (snd_pcm_action_group()) runs its pre-action on every member, then its action, then its
 * post-action, so START, PREPARE and STOP move the whole group or none of it. Members in list order: a member
 * joins at the head (snd_pcm_group_assign()'s list_move()), and the first member whose pre-action fails decides
 * the errno. A substream that is not linked has no group here (its self_group in the kernel).
 */
public final class PcmGroup {
    final List<Substream> members = new ArrayList<>();

    PcmGroup() {
    }

    /** The members in snd_pcm_group_for_each_entry() order. */
    public List<Substream> members() {
        return Collections.unmodifiableList(members);
    }

    /** snd_pcm_group_assign(): list_move() to the head. */
    void assign(Substream s) {
        members.addFirst(s);
        s.group = this;
    }

    /** relink_to_local(): back to the substream's self_group. */
    void relinkToLocal(Substream s) {
        members.remove(s);
        s.group = null;
    }
}
