package org.pcmdmabuf.script;

/** A malformed op script: the line, the offending token and what is wrong with it. */
public final class ScriptException extends Exception {
    private static final long serialVersionUID = 1L;

    public final int line;
    public final String token;

    public ScriptException(int line, String token, String message) {
        super(message);
        this.line = line;
        this.token = token;
    }

    /**
     * One line for a terminal: {@code line 12: 'rate=abc': rate must be a non-negative integer}; line 0 is the
     * whole file.
     */
    public String describe() {
        return (line > 0 ? "line " + line + ": " : "") + (token == null ? "" : "'" + token + "': ") + getMessage();
    }
}
