package org.pcmdmabuf.script;

import java.util.Locale;

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
        return (line > 0 ? "line " + line + ": " : "") + (token == null ? "" : "'" + shown(token) + "': ")
                + getMessage();
    }

    /** Characters of a token shown whole; a longer one is cut, with its length, so that the error stays one line. */
    public static final int SHOWN = 40;

    /**
     * {@code token} as a terminal can show it: what prints no glyph (controls, format characters such as a
     * byte-order mark or a zero-width space, separators other than the space) as {@code <U+FEFF>}, and a
     * token longer than {@link #SHOWN} characters cut there, with its length.
     */
    public static String shown(String token) {
        StringBuilder sb = new StringBuilder();
        int end = token.offsetByCodePoints(0, Math.min(SHOWN, token.codePointCount(0, token.length())));
        token.substring(0, end).codePoints().forEach(c -> {
            switch (Character.getType(c)) {
                case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                        Character.SPACE_SEPARATOR, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE ->
                        sb.append(String.format(Locale.ROOT, "<U+%04X>", c));
                default -> sb.appendCodePoint(c);
            }
        });
        if (end < token.length()) {
            sb.append("... (").append(token.codePointCount(0, token.length())).append(" characters)");
        }
        return sb.toString();
    }
}
