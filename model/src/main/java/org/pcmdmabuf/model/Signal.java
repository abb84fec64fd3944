package org.pcmdmabuf.model;

/**
 * A signal a CPU access raises instead of completing, where the kernel answers a fault with one rather than
 * with an errno: an op script reports its name where an errno would be (docs/op-scripts.md, Output).
 */
public enum Signal {
    /**
     * A fault on a mapping whose pages were zapped: the revoked dma-buf's fault handler finds no memory
     * (VM_FAULT_SIGBUS, mm/memory.c), LIFETIME-REVOKE-ZAP.
     */
    SIGBUS(7);

    public final int number;

    Signal(int number) {
        this.number = number;
    }
}
