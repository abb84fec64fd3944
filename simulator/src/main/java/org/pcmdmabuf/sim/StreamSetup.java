package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.List;
import org.pcmdmabuf.model.Substream;

/** One PCM stream the server runs: its substream, its fds, and who owns its frames. */
final class StreamSetup {
    final int pcmFd;
    final Substream substream;
    final boolean copy;
    final List<Client> owners = new ArrayList<>();
    int dmabufFd = -1;
    /** The substream that exported the dma-buf this stream attached, when it is foreign; else -1. */
    int exporterFd = -1;
    boolean closed;
    /** When the server stopped it for a reconfiguration or restart, or -1 while it runs. */
    long stoppedAtNs = -1;
    /** A restricted stream's reconfiguration waits for its clients to unmap. */
    boolean unmapAsked;
    /** A restarted server's stream was shared and started. */
    boolean startedOnce;

    StreamSetup(int pcmFd, Substream substream, boolean copy) {
        this.pcmFd = pcmFd;
        this.substream = substream;
        this.copy = copy;
    }

    int ownerIndex(Client c) {
        return owners.indexOf(c);
    }
}
