package org.pcmdmabuf.model;

import java.util.Locale;

/**
 * What a driver declares it supports of buffer sharing (EXPORT-ENXIO-OPT-IN, ATTACH-ENXIO of docs/spec.md): a
 * driver that has not opted in gets {@code ENXIO}, because only its author knows whether the hardware really
 * plays from {@code runtime->dma_addr} and whether other memory may replace it.
 */
public enum DmabufOptIn {
    /** EXPORT and ATTACH. */
    ALL,
    /** EXPORT only: the driver cannot take other memory (ATTACH gives ENXIO). */
    EXPORT,
    /** Neither. */
    NONE;

    public String scriptName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean export() {
        return this != NONE;
    }

    public boolean attach() {
        return this == ALL;
    }
}
