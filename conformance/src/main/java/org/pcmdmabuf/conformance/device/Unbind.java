package org.pcmdmabuf.conformance.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.script.Outcome;

/**
 * Card disconnect from user space: the card's platform driver is unbound in sysfs. The unbind disconnects the
 * card at once (snd_card_disconnect() in sound/core/init.c: its device nodes go) and then waits in
 * snd_card_free() for every file of the card to be closed, so it runs in a thread of its own, as the
 * kselftest's unbind test does in a child; the card is bound again when the case ends, after every process
 * exited.
 */
final class Unbind {
    /** A card kind's driver directory in sysfs and the device name its bind and unbind files take. */
    record Driver(String dir, String device) {
    }

    private final List<Driver> unbound = new ArrayList<>();
    private final List<Thread> unbinders = new ArrayList<>();

    /** The driver a card kind can be unbound from, or null. */
    static Driver driver(Cards.Pcm p) {
        return switch (p.kind()) {
            case "dummy" -> new Driver("/sys/bus/platform/drivers/snd_dummy", "snd_dummy.0");
            case "aloop" -> new Driver("/sys/bus/platform/drivers/snd_aloop", "snd_aloop.0");
            default -> null;
        };
    }

    /** Unbinds {@code d} and waits (5 s at most) for the device node of {@code pcm} to go. */
    Outcome disconnect(Cards.Pcm pcm, Driver d) {
        Thread t = new Thread(() -> {
            try {
                Files.writeString(Path.of(d.dir(), "unbind"), d.device());
            } catch (IOException e) {
                System.out.println("  device: unbind " + d.device() + " failed: " + e);
            }
        }, "unbind " + d.device());
        t.setDaemon(true);
        t.start();
        unbinders.add(t);
        unbound.add(d);
        for (int i = 0; i < 100 && Files.exists(Path.of(pcm.path())); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Files.exists(Path.of(pcm.path())) ? Outcome.error(Uapi.Errnum.EIO.name(), null) : Outcome.ok(0, null);
    }

    /**
     * Lets every unbind finish (each one returns once the card's last file is closed) and binds each driver
     * again, waiting for {@code devices} to come back.
     */
    void rebind(Collection<Cards.Pcm> devices) {
        for (Thread t : unbinders) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Driver d : unbound) {
            bind(d, devices);
        }
    }

    /** Binds an unbound card again and waits (5 s at most) for its PCM devices to come back. */
    private static void bind(Driver d, Collection<Cards.Pcm> devices) {
        try {
            Files.writeString(Path.of(d.dir(), "bind"), d.device());
            for (int i = 0; i < 50; i++) {
                boolean back = true;
                for (Cards.Pcm p : devices) {
                    back &= Files.exists(Path.of(p.path()));
                }
                if (back) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException e) {
            System.out.println("  device: binding " + d.device() + " again failed: " + e);
        }
    }
}
