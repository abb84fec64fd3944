package org.pcmdmabuf.conformance.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ChildrenTest {
    private static CompletableFuture<String> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }

    @Test
    void aTaskThatReturnedGivesItsValue() throws Exception {
        assertEquals("done", Children.result(CompletableFuture.completedFuture("done")));
    }

    @Test
    void aChildsIoErrorAndInterruptReachTheCallerAsThemselves() {
        IOException io = new IOException("child died");
        assertSame(io, assertThrows(IOException.class, () -> Children.result(failed(io))));
        InterruptedException stop = new InterruptedException();
        assertSame(stop, assertThrows(InterruptedException.class, () -> Children.result(failed(stop))));
        IllegalArgumentException bad = new IllegalArgumentException("bad");
        assertSame(bad, assertThrows(IllegalArgumentException.class, () -> Children.result(failed(bad))));
        StackOverflowError error = new StackOverflowError();
        assertSame(error, assertThrows(StackOverflowError.class, () -> Children.result(failed(error))));
    }

    @Test
    void anotherCheckedExceptionIsABrokenInvariantCarryingIt() {
        TimeoutException odd = new TimeoutException("no task throws this");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Children.result(failed(odd)));
        assertSame(odd, e.getCause());
    }
}
