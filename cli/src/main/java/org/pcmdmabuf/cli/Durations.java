package org.pcmdmabuf.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** "60s", "500ms", "2000us", "100ns" to nanoseconds. */
final class Durations implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String[][] units = {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}};
        for (String[] u : units) {
            if (value.endsWith(u[0])) {
                String digits = value.substring(0, value.length() - u[0].length());
                if (digits.matches("[0-9]{1,12}")) {
                    long n = Long.parseLong(digits);
                    long mul = Long.parseLong(u[1]);
                    if (n > Long.MAX_VALUE / mul / 4) {
                        break;
                    }
                    return n * mul;
                }
                break;
            }
        }
        throw new TypeConversionException("'" + value + "' is not a duration like 60s, 500ms, 2000us");
    }
}
