package org.pcmdmabuf.conformance.device;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    private final SystemCalls sys;
    private final List<Driver> unbound = new ArrayList<>();
    private final List<Thread> unbinders = new ArrayList<>();

    Unbind(SystemCalls sys) {
        this.sys = sys;
    }

    /** The driver a card kind can be unbound from, or null. */
    static Driver driver(Cards.Pcm p) {
        return switch (p.kind()) {
            case "dummy" -> new Driver("/sys/bus/platform/drivers/snd_dummy", "snd_dummy.0");
            case "aloop" -> new Driver("/sys/bus/platform/drivers/snd_aloop", "snd_aloop.0");
            default -> null;
        };
    }

    /**
     * Unbinds {@code d} and waits (5 s at most) for the device node of {@code pcm} to go: ok once it went; the
     * errno of the unbind if it failed at once (not root: EACCES; no such device: ENODEV); else EIO.
     */
    Outcome disconnect(Cards.Pcm pcm, Driver d) {
        CompletableFuture<Integer> written = new CompletableFuture<>();
        Thread t = new Thread(() -> written.complete(sys.writeAttribute(d.dir() + "/unbind", d.device())),
                "unbind " + d.device());
        t.setDaemon(true);
        t.start();
        unbinders.add(t);
        unbound.add(d);
        for (int i = 0; i < 100 && sys.exists(pcm.path()) && !written.isDone(); i++) {
            try {
                written.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // still unbinding: look at the node again
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int r = written.getNow(0);
        if (r < 0) {
            unbound.remove(d); // still bound: nothing to bind again
            return Outcome.error(Uapi.errnoName(-r), null);
        }
        return sys.exists(pcm.path()) ? Outcome.error(Uapi.Errnum.EIO.name(), null) : Outcome.ok(0, null);
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
    private void bind(Driver d, Collection<Cards.Pcm> devices) {
        int r = sys.writeAttribute(d.dir() + "/bind", d.device());
        if (r == -Uapi.Errnum.EBUSY.number) {
            // still bound: its unbind waits for the card's last file (a release the script's end queued), give
            // it 20 s more before binding again (seen on the real kernel after a random sequence's disconnect)
            for (Thread t : unbinders) {
                try {
                    t.join(20_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r = sys.writeAttribute(d.dir() + "/bind", d.device());
        }
        if (r < 0) {
            System.out.println("  device: binding " + d.device() + " again failed: " + Uapi.errnoName(-r));
            return;
        }
        try {
            for (int i = 0; i < 50; i++) {
                if (devices.stream().allMatch(p -> sys.exists(p.path()))) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
