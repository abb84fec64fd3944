package org.pcmdmabuf.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A number option that is a number: Java's parser also takes NaN, Infinity and values such as 1e400 that
 * overflow to it, none of which is a price or a rate, and none of which JSON can print.
 */
final class FiniteDouble implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
        double d;
        try {
            d = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a number");
        }
        if (!Double.isFinite(d)) {
            throw new TypeConversionException("'" + value + "' is not a finite number");
        }
        return d;
    }
}
