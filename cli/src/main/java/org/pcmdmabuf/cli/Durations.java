package org.pcmdmabuf.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** "60s", "500ms", "2000us", "100ns" to nanoseconds. */
final class Durations implements ITypeConverter<Long> {
    /**
     * The longest duration taken, about 73 years: a quarter of the largest long, so that a deadline of now plus
     * it, or a sum of a few, cannot overflow. Options with a limit of their own check it after this.
     */
    static final long MAX_NS = Long.MAX_VALUE / 4;

    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ns|us|ms|s)");

    @Override
    public Long convert(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a duration like 60s, 500ms, 2000us");
        }
        long unit = switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1_000;
            case "ms" -> 1_000_000;
            default -> 1_000_000_000;
        };
        String digits = m.group(1).replaceFirst("^0+(?=.)", "");
        // Compared before multiplying: the product of a long number of seconds would wrap to a negative.
        if (digits.length() > 19 || Long.parseLong(digits) > MAX_NS / unit) {
            throw new TypeConversionException("'" + value + "' is longer than the longest duration taken, "
                    + MAX_NS / 1_000_000_000 + "s");
        }
        return Long.parseLong(digits) * unit;
    }
}
