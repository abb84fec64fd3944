package org.pcmdmabuf.script;

import java.util.Collection;
import java.util.Locale;

/**
 * The little JSON pcmsim prints: strings, numbers, booleans, null and lists of those. NaN and the infinities
 * have no JSON form; every input that could make one is refused where it is read, so meeting one here is a
 * bug, thrown rather than printed as something no JSON reader takes.
 */
public final class Json {
    private Json() {
    }

    public static String string(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** {@code v} with three decimals, as {@code 0.250}. */
    public static String decimal(double v) {
        return String.format(Locale.ROOT, "%.3f", finite(v));
    }

    private static Double finite(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalStateException(v + " has no JSON form: an input that makes it should have been refused");
        }
        return v;
    }

    public static String value(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> string(s);
            case Double d -> finite(d).toString();
            case Float f -> finite(f.doubleValue()).toString();
            case Number n -> n.toString();
            case Boolean b -> b.toString();
            case Collection<?> c -> {
                StringBuilder sb = new StringBuilder("[");
                for (Object o : c) {
                    if (sb.length() > 1) {
                        sb.append(',');
                    }
                    sb.append(value(o));
                }
                yield sb.append(']').toString();
            }
            default -> string(v.toString());
        };
    }
}
