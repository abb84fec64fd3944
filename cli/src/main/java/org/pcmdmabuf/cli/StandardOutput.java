package org.pcmdmabuf.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * pcmsim's standard output, which remembers why a write failed. PrintWriter and PrintStream swallow the
 * IOException and keep only that one happened, so a command printing to a full disk or a closed descriptor
 * would exit 0 having written nothing; {@link Pcmsim} asks this at the end of every command instead.
 */
final class StandardOutput extends PrintWriter {
    private final Sink sink;

    private StandardOutput(Sink sink, Charset charset) {
        // Flushed at every println, as picocli's own standard output is: lines keep their order with stderr's.
        super(new OutputStreamWriter(sink, charset), true);
        this.sink = sink;
    }

    /** Output to {@code out} (the standard output descriptor, or a test's stream). */
    static StandardOutput of(OutputStream out, Charset charset) {
        return new StandardOutput(new Sink(out), charset);
    }

    /**
     * A PrintStream to the same place, for System.out: the device target prints its trace there, and a write
     * of it that fails must fail the command too.
     */
    PrintStream printStream(Charset charset) {
        return new PrintStream(sink, true, charset);
    }

    /** Flushes, and tells whether anything written, here or through {@link #printStream}, was lost. */
    @Override
    public boolean checkError() {
        return super.checkError() || sink.failure != null;
    }

    /** Why the output was lost: the system's reason, as {@code No space left on device}. */
    String reason() {
        return sink.failure != null && sink.failure.getMessage() != null ? sink.failure.getMessage() : "write error";
    }

    /** Passes every byte on and keeps the first IOException. */
    private static final class Sink extends FilterOutputStream {
        private volatile IOException failure;

        Sink(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw failed(e);
            }
        }

        private synchronized IOException failed(IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }
    }
}
