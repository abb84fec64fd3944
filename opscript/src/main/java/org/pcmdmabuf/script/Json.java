package org.pcmdmabuf.script;

import java.util.Collection;

/** The little JSON the op output needs: strings, numbers, booleans, null and lists of those. */
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

    public static String value(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> string(s);
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
