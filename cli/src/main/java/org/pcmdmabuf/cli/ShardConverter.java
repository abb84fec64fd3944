package org.pcmdmabuf.cli;

import org.pcmdmabuf.conformance.shard.Shard;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --shard K/N}: picocli reports a bad one in one line naming the value, exit 2. */
final class ShardConverter implements ITypeConverter<Shard> {
    static final String DESCRIPTION = "Run only shard K of N (1 <= K <= N) of the campaign: the items whose position "
            + "from 0 is K-1 modulo N; the N shards' --format json results, given to pcmsim merge, make the whole "
            + "run's result (docs/sharding.md).";
    static final String NO_TIMES = "Leave the wall-clock times out of the report (in JSON, JUnit and KTAP every time "
            + "is 0): the same inputs then give the same bytes on every run, and the merge of its shards is the "
            + "unsharded report byte for byte.";

    @Override
    public Shard convert(String value) {
        try {
            return Shard.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
