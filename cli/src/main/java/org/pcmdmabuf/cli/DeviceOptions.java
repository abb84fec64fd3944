package org.pcmdmabuf.cli;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.conformance.device.Cards;
import picocli.CommandLine.Option;

/** How {@code --target device} finds the machine's PCMs: the cards /proc/asound lists, or those named here. */
final class DeviceOptions {
    @Option(names = "--card", paramLabel = "KIND=N", description = "Device target: use card N as the card of KIND "
            + "(dummy, hda, aloop, pcmtest; -1: none) instead of the one /proc/asound/cards names.")
    Map<String, Integer> cards = new LinkedHashMap<>();

    @Option(names = "--uapi", paramLabel = "1|2", description = "Device target: issue the DMABUF ioctls of this "
            + "uAPI revision (docs/spec.md section 1): 2, the series' struct arguments (default), or 1, the bare "
            + "int of kernel-patch/known-bad/v1. Never probed: the run's header says which one is used.")
    Integer uapi;

    /** The revision {@code --uapi} names, revision 2 without it. */
    Uapi.Revision uapi() {
        if (uapi == null) {
            return Uapi.Revision.V2;
        }
        if (uapi != 1 && uapi != 2) {
            throw new IllegalArgumentException("--uapi " + uapi + ": no such uAPI revision (1 or 2)");
        }
        return Uapi.Revision.of(uapi);
    }

    /** The cards; {@code assume}: as if every PCM of them existed. */
    Cards cards(boolean assume) throws IOException {
        for (String kind : cards.keySet()) {
            if (!Cards.kinds().contains(kind)) {
                throw new IllegalArgumentException("--card " + kind + "=" + cards.get(kind) + ": unknown kind '"
                        + kind + "' (known: " + String.join(", ", Cards.kinds()) + ")");
            }
        }
        Map<String, Integer> found = new LinkedHashMap<>(Cards.discover());
        found.putAll(cards);
        return new Cards(found, assume);
    }
}
