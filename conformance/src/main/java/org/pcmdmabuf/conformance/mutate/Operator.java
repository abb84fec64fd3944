package org.pcmdmabuf.conformance.mutate;

import java.util.Arrays;
import java.util.Optional;

/** The changes {@link Mutator} makes, one per mutant, each a fault a patch author could make. */
public enum Operator {
    NEGATE_CONDITION("negate-condition", "negate condition", "if (x) -> if (!(x)), if (!x) -> if (x)"),
    RELATIONAL("relational", "relational operator", "== <-> !=, < <-> <=, > <-> >="),
    LOGICAL("logical", "logical operator", "&& <-> ||"),
    ERRNO("errno", "swap errno", "-EXXX -> another errno a caller could get (ERR_PTR(-EXXX) too)"),
    RETURN_ZERO("return-zero", "return 0", "return -EXXX; return err; return PTR_ERR(x); -> return 0;"),
    DROP_CALL("drop-call", "drop call", "a call statement (kfree, dma_buf_put, list_del_init...) -> { }"),
    DROP_ASSIGNMENT("drop-assignment", "drop assignment", "x = ...; x->f = ...; x++; -> { }"),
    DROP_LOCK("drop-lock", "drop lock", "guard(...)(...); -> { }, scoped_guard(...) -> its body alone"),
    BOOLEAN("boolean", "swap boolean", "true <-> false"),
    INCREMENT("increment", "swap increment", "++ <-> --"),
    CONSTANT("constant", "constant off by one", "an integer constant N -> N + 1 (not in return or case)");

    private final String id;
    private final String title;
    private final String change;

    Operator(String id, String title, String change) {
        this.id = id;
        this.title = title;
        this.change = change;
    }

    /** The name --operators takes. */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** What it changes, for the documentation and --help. */
    public String change() {
        return change;
    }

    public static Optional<Operator> byId(String id) {
        return Arrays.stream(values()).filter(o -> o.id.equals(id)).findFirst();
    }
}
