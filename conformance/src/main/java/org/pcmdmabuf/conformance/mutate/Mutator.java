package org.pcmdmabuf.conformance.mutate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every mutant of a C file, in the order of its lines, columns and {@link Operator}s. Only code inside function
 * bodies is changed: comments, kernel-doc, string literals, preprocessor lines, declarations without an initializer
 * and everything outside functions (structs, ops tables) are left alone. The file is read with what kernel
 * style guarantees (a function's opening brace on a line of its own) and no more: it is not a C parser, and a
 * mutant it gets wrong is stillborn, which the run reports as such.
 */
public final class Mutator {
    /**
     * Each errno to one a caller could get instead: what a confused author would write (the wrong "invalid",
     * "busy", "no device" of the same path).
     */
    static final Map<String, String> ERRNO_SWAP = Map.ofEntries(Map.entry("EINVAL", "ENXIO"),
            Map.entry("ENXIO", "EINVAL"), Map.entry("ENOMEM", "EINVAL"), Map.entry("EFAULT", "EINVAL"),
            Map.entry("EBUSY", "EINVAL"), Map.entry("EBADFD", "EBUSY"), Map.entry("EACCES", "EPERM"),
            Map.entry("EPERM", "EACCES"), Map.entry("ENODEV", "ENXIO"), Map.entry("ENOTTY", "EINVAL"),
            Map.entry("ENOENT", "ENODEV"), Map.entry("EAGAIN", "EBUSY"));

    private static final Pattern CONDITION = Pattern.compile("^(?:\\}\\s*)?(?:else\\s+)?(?:if|while)\\s*\\(");
    private static final Pattern ERRNO = Pattern.compile("(?<![\\w)\\]])-(E[A-Z0-9]+)\\b");
    private static final Pattern RETURN_ERROR = Pattern.compile("^return\\s+(-E[A-Z0-9]+|err|PTR_ERR\\(\\s*\\w+\\s*\\))\\s*;$");
    private static final Pattern CALL = Pattern.compile("^([a-z_]\\w*)\\s*\\(");
    /** What a call statement that is no behaviour looks like: a check only (dropped, nothing can tell). */
    private static final List<String> NOT_CALLS = List.of("if", "for", "while", "switch", "return", "sizeof", "guard",
            "scoped_guard", "lockdep_assert_held");
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "^\\*?[A-Za-z_]\\w*(?:(?:->|\\.)[A-Za-z_]\\w*|\\[[^\\]]*\\])*\\s*(?:[-+|&^]?=(?!=)|\\+\\+\\s*;|--\\s*;)");
    private static final Pattern GUARD = Pattern.compile("^guard\\s*\\(.*\\)\\s*\\(.*\\)\\s*;$");
    private static final Pattern SCOPED_GUARD = Pattern.compile("^scoped_guard\\s*\\(.*\\)\\s*(\\{)?$");
    private static final Pattern BOOLEAN = Pattern.compile("\\b(true|false)\\b");
    private static final Pattern CONSTANT = Pattern.compile("(?<![\\w.])(\\d+)(?![\\w.])");
    private static final Pattern NOT_CONSTANT = Pattern.compile("^(?:return\\b.*|case\\b.*)");
    /** A statement of several lines longer than this is not one this reader understands. */
    private static final int MAX_STATEMENT_LINES = 8;

    private final List<String> lines;
    /** The lines with comments and literals blanked: what the operators search. */
    private final List<String> code = new ArrayList<>();
    private final boolean[] inFunction;
    /** A statement begins on the line: the one before ended one (or opened a block, or was a control header). */
    private final boolean[] statement;
    private final List<Mutant> out = new ArrayList<>();

    private Mutator(List<String> lines) {
        this.lines = lines;
        this.inFunction = new boolean[lines.size()];
        this.statement = new boolean[lines.size()];
        scan();
    }

    /** Every mutant of {@code lines} (the C file, line 1 first), in a fixed order. */
    public static List<Mutant> mutants(List<String> lines) {
        Mutator m = new Mutator(List.copyOf(lines));
        for (int i = 0; i < lines.size(); i++) {
            if (m.inFunction[i]) {
                m.mutate(i);
            }
        }
        m.out.sort(Comparator.comparingInt(Mutant::line).thenComparingInt(Mutant::column)
                .thenComparing(Mutant::operator));
        return List.copyOf(m.out);
    }

    /** Blanks comments and literals, and finds function bodies and where statements begin. */
    private void scan() {
        boolean comment = false;
        boolean preprocessor = false;
        int braces = 0;
        int parens = 0;
        boolean function = false;
        String previous = ";";
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            StringBuilder sb = new StringBuilder(line.length());
            boolean directive = preprocessor || (!comment && line.strip().startsWith("#"));
            char quote = 0;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                char next = i + 1 < line.length() ? line.charAt(i + 1) : 0;
                if (comment) {
                    sb.append(' ');
                    if (c == '*' && next == '/') {
                        sb.append(' ');
                        i++;
                        comment = false;
                    }
                } else if (quote != 0) {
                    sb.append(' ');
                    if (c == '\\') {
                        sb.append(i + 1 < line.length() ? " " : "");
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '/' && next == '*') {
                    sb.append("  ");
                    i++;
                    comment = true;
                } else if (c == '/' && next == '/') {
                    sb.append(" ".repeat(line.length() - i));
                    break;
                } else if (c == '"' || c == '\'') {
                    sb.append(' ');
                    quote = c;
                } else {
                    sb.append(c);
                }
            }
            preprocessor = directive && line.endsWith("\\");
            String masked = directive ? " ".repeat(line.length()) : sb.toString();
            code.add(masked);
            String trimmed = masked.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (braces == 0 && trimmed.equals("{")) {
                function = true;
            } else if (function && braces > 0) {
                inFunction[n] = true;
                statement[n] = parens == 0 && (previous.endsWith(";") || previous.endsWith("{")
                        || previous.endsWith("}") || previous.endsWith(":") || previous.endsWith(")")
                        || previous.endsWith("else"));
            }
            for (char c : trimmed.toCharArray()) {
                switch (c) {
                    case '{' -> braces++;
                    case '}' -> braces--;
                    case '(' -> parens++;
                    case ')' -> parens--;
                    default -> {
                    }
                }
            }
            if (braces == 0) {
                function = false;
            }
            previous = trimmed;
        }
    }

    private void mutate(int i) {
        String masked = code.get(i);
        String trimmed = masked.strip();
        if (trimmed.isEmpty()) {
            return;
        }
        int indent = masked.indexOf(trimmed);
        Matcher m;
        if ((m = CONDITION.matcher(trimmed)).find()) {
            negate(i, indent + m.end() - 1);
        }
        relational(i);
        m = Pattern.compile("&&|\\|\\|").matcher(masked);
        while (m.find()) {
            logical(i, m.start());
        }
        m = ERRNO.matcher(masked);
        while (m.find()) {
            String swap = ERRNO_SWAP.get(m.group(1));
            if (swap != null) {
                add(Operator.ERRNO, i, m.start(), m.end(), "-" + swap);
            }
        }
        replaceAll(i, Operator.BOOLEAN, BOOLEAN, s -> s.equals("true") ? "false" : "true");
        replaceAll(i, Operator.INCREMENT, Pattern.compile("\\+\\+|--"), s -> s.equals("++") ? "--" : "++");
        if (!NOT_CONSTANT.matcher(trimmed).matches()) {
            replaceAll(i, Operator.CONSTANT, CONSTANT, s -> String.valueOf(Long.parseLong(s) + 1));
        }
        if (!statement[i]) {
            return;
        }
        if ((m = RETURN_ERROR.matcher(trimmed)).matches()) {
            add(Operator.RETURN_ZERO, i, indent + m.start(1), indent + m.end(1), "0");
        }
        if ((m = CALL.matcher(trimmed)).find() && !NOT_CALLS.contains(m.group(1))
                && !m.group(1).startsWith("list_for_each") && !m.group(1).startsWith("for_each")) {
            int[] close = close(i, indent + m.end() - 1);
            if (close != null && code.get(close[0]).substring(close[1] + 1).strip().equals(";")) {
                drop(Operator.DROP_CALL, i, close[0], indent);
            }
        }
        if (ASSIGNMENT.matcher(trimmed).find()) {
            int end = statementEnd(i);
            if (end >= 0) {
                drop(Operator.DROP_ASSIGNMENT, i, end, indent);
            }
        }
        if (GUARD.matcher(trimmed).matches()) {
            drop(Operator.DROP_LOCK, i, i, indent);
        } else if ((m = SCOPED_GUARD.matcher(trimmed)).matches()) {
            // the guarded block or statement runs unlocked
            String rest = m.group(1) == null ? "" : lines.get(i).substring(0, indent) + "{";
            add(new Mutant(Operator.DROP_LOCK, i + 1, indent + 1, List.of(new Mutant.Edit(i + 1, rest)),
                    lines.get(i).strip(), rest.strip()));
        }
    }

    /**
     * {@code if (x == y)} -> {@code if (!(x == y))}; when x is one operand, {@code if (x)} -> {@code if (!x)} and
     * {@code if (!x)} -> {@code if (x)}.
     */
    private void negate(int i, int open) {
        int[] close = close(i, open);
        if (close == null) {
            return;
        }
        String line = lines.get(i);
        if (close[0] == i) {
            String condition = code.get(i).substring(open + 1, close[1]);
            String stripped = condition.strip();
            int at = open + 1 + condition.indexOf(stripped);
            if (stripped.startsWith("!") && operand(stripped.substring(1).strip())) {
                String operand = line.substring(at + 1, close[1]).strip();
                add(Operator.NEGATE_CONDITION, i, at, close[1], operand);
            } else if (operand(stripped)) {
                add(Operator.NEGATE_CONDITION, i, at, close[1], "!" + line.substring(at, close[1]).strip());
            } else {
                add(Operator.NEGATE_CONDITION, i, at, close[1], "!(" + line.substring(at, close[1]) + ")");
            }
            return;
        }
        String first = line.substring(0, open + 1) + "!(" + line.substring(open + 1);
        String last = lines.get(close[0]);
        last = last.substring(0, close[1]) + ")" + last.substring(close[1]);
        add(new Mutant(Operator.NEGATE_CONDITION, i + 1, open + 2,
                List.of(new Mutant.Edit(i + 1, first), new Mutant.Edit(close[0] + 1, last)), line.strip(),
                first.strip()));
    }

    /**
     * {@code a || b} -> {@code (a && b)} and the converse at column {@code k} of line {@code i}: the parentheses keep
     * C's precedence and spare gcc's -Wparentheses in a chain ({@code a || b || c}). The right operand may be on the
     * next lines; if an operand's bounds are not found, the operator alone is swapped.
     */
    private void logical(int i, int k) {
        String s = code.get(i);
        String swapped = s.startsWith("&&", k) ? "||" : "&&";
        int left = k;
        int depth = 0;
        while (left > 0) {
            char c = s.charAt(left - 1);
            if (c == ')') {
                depth++;
            } else if (c == '(') {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (depth == 0 && (",;?:".indexOf(c) >= 0 || assignment(s, left - 1)
                    || ((c == '|' || c == '&') && left >= 2 && s.charAt(left - 2) == c))) {
                break;
            }
            left--;
        }
        while (left < k && Character.isWhitespace(s.charAt(left))) {
            left++;
        }
        if (s.startsWith("return", left) && !Character.isJavaIdentifierPart(s.charAt(left + 6))) {
            left += 6;
            while (Character.isWhitespace(s.charAt(left))) {
                left++;
            }
        }
        int[] right = rightOperandEnd(i, k + 2);
        String line = lines.get(i);
        if (left >= k || right == null) {
            add(Operator.LOGICAL, i, k, k + 2, swapped);
            return;
        }
        if (right[0] == i) {
            String mutated = line.substring(0, left) + "(" + line.substring(left, k) + swapped
                    + line.substring(k + 2, right[1]) + ")" + line.substring(right[1]);
            add(new Mutant(Operator.LOGICAL, i + 1, k + 1, List.of(new Mutant.Edit(i + 1, mutated)), line.strip(),
                    mutated.strip()));
            return;
        }
        String first = line.substring(0, left) + "(" + line.substring(left, k) + swapped + line.substring(k + 2);
        String end = lines.get(right[0]);
        end = end.substring(0, right[1]) + ")" + end.substring(right[1]);
        add(new Mutant(Operator.LOGICAL, i + 1, k + 1,
                List.of(new Mutant.Edit(i + 1, first), new Mutant.Edit(right[0] + 1, end)), line.strip(),
                first.strip()));
    }

    /** Whether the {@code =} at column {@code p} of {@code s} assigns (is no part of ==, !=, <=, >=). */
    private static boolean assignment(String s, int p) {
        return s.charAt(p) == '=' && (p == 0 || "=!<>".indexOf(s.charAt(p - 1)) < 0)
                && (p + 1 >= s.length() || s.charAt(p + 1) != '=');
    }

    /** Line and column after the end of the operand that begins at line {@code i}, column {@code from}; or null. */
    private int[] rightOperandEnd(int i, int from) {
        int depth = 0;
        for (int n = i; n < Math.min(code.size(), i + MAX_STATEMENT_LINES); n++) {
            String s = code.get(n);
            int last = -1;
            for (int k = n == i ? from : 0; k < s.length(); k++) {
                char c = s.charAt(k);
                char next = k + 1 < s.length() ? s.charAt(k + 1) : ' ';
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    if (depth == 0) {
                        return last < 0 ? null : new int[] {n, last + 1};
                    }
                    depth--;
                } else if (depth == 0 && (",;?:{".indexOf(c) >= 0 || ((c == '|' || c == '&') && next == c))) {
                    return last < 0 ? null : new int[] {n, last + 1};
                }
                if (!Character.isWhitespace(c)) {
                    last = k;
                }
            }
            // an operand that ends its line ends there, unless the line ends in an operator
            if (last >= 0 && depth == 0 && "+-*/%&|^<>=!".indexOf(s.charAt(last)) < 0) {
                return new int[] {n, last + 1};
            }
            if (last >= 0 && n > i) {
                continue;
            }
        }
        return null;
    }

    /** Whether {@code s} is one operand: a name with members, indexes and calls, or a parenthesized group. */
    static boolean operand(String s) {
        int i = 0;
        if (s.startsWith("(")) {
            return matching(s, 0) == s.length() - 1;
        }
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) {
            return false;
        }
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isJavaIdentifierPart(c)) {
                i++;
            } else if (c == '.') {
                i++;
            } else if (s.startsWith("->", i)) {
                i += 2;
            } else if (c == '(' || c == '[') {
                int end = matching(s, i);
                if (end < 0) {
                    return false;
                }
                i = end + 1;
            } else {
                return false;
            }
        }
        return true;
    }

    /** The index of the bracket closing the one at {@code open} in {@code s}, or -1. */
    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Line and column of the parenthesis closing the one at line {@code i}, column {@code open}; null if none. */
    private int[] close(int i, int open) {
        int depth = 0;
        for (int n = i; n < Math.min(code.size(), i + MAX_STATEMENT_LINES); n++) {
            String s = code.get(n);
            for (int k = n == i ? open : 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth == 0) {
                        return new int[] {n, k};
                    }
                }
            }
        }
        return null;
    }

    /** The last line of the statement that begins on line {@code i}, or -1 if it does not end as one does. */
    private int statementEnd(int i) {
        int parens = 0;
        for (int n = i; n < Math.min(code.size(), i + MAX_STATEMENT_LINES); n++) {
            String s = code.get(n);
            for (char c : s.toCharArray()) {
                if (c == '(') {
                    parens++;
                } else if (c == ')') {
                    parens--;
                } else if (c == '{' || c == '}') {
                    return -1;
                }
            }
            if (parens == 0 && s.strip().endsWith(";")) {
                return n;
            }
        }
        return -1;
    }

    /** Lines {@code i} to {@code last} (one statement) become an empty block and empty lines. */
    private void drop(Operator op, int i, int last, int indent) {
        List<Mutant.Edit> edits = new ArrayList<>();
        String empty = lines.get(i).substring(0, indent) + "{ }";
        edits.add(new Mutant.Edit(i + 1, empty));
        for (int n = i + 1; n <= last; n++) {
            edits.add(new Mutant.Edit(n + 1, ""));
        }
        add(new Mutant(op, i + 1, indent + 1, edits, lines.get(i).strip(), empty.strip()));
    }

    private void relational(int i) {
        String s = code.get(i);
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            char prev = k > 0 ? s.charAt(k - 1) : ' ';
            char next = k + 1 < s.length() ? s.charAt(k + 1) : ' ';
            if ((c == '=' || c == '!') && next == '=' && prev != '=' && prev != '!' && prev != '<' && prev != '>') {
                add(Operator.RELATIONAL, i, k, k + 2, c == '=' ? "!=" : "==");
                k++;
            } else if ((c == '<' || c == '>') && prev != c && next != c && !(c == '>' && prev == '-')) {
                if (next == '=') {
                    add(Operator.RELATIONAL, i, k, k + 2, String.valueOf(c));
                    k++;
                } else {
                    add(Operator.RELATIONAL, i, k, k + 1, c + "=");
                }
            }
        }
    }

    private void replaceAll(int i, Operator op, Pattern p, java.util.function.UnaryOperator<String> by) {
        Matcher m = p.matcher(code.get(i));
        while (m.find()) {
            add(op, i, m.start(), m.end(), by.apply(m.group()));
        }
    }

    /** One mutant: columns {@code from} to {@code to} of line {@code i} (from 0) replaced by {@code text}. */
    private void add(Operator op, int i, int from, int to, String text) {
        String line = lines.get(i);
        String mutated = line.substring(0, from) + text + line.substring(to);
        add(new Mutant(op, i + 1, from + 1, List.of(new Mutant.Edit(i + 1, mutated)), line.strip(), mutated.strip()));
    }

    private void add(Mutant m) {
        out.add(m);
    }
}
