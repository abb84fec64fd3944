package org.pcmdmabuf.sim;

import java.util.Locale;

/**
 * How the server hands a client the data path (docs/designs.md): the RFC's dma-buf, a PCM fd restricted to the
 * producer or consumer role (DESIGN-RESTRICT-*), or the vendors' buffer fd (DESIGN-BUFFER-FD-*).
 */
public enum Design {
    DMABUF, RESTRICTED, BUFFER_FD;

    /** The name as {@code --design} spells it. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Design fromCli(String s) {
        for (Design d : values()) {
            if (d.cliName().equals(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown design '" + s + "' (dmabuf, restricted, buffer-fd)");
    }
}
