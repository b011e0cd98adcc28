package org.mmlab.mm;

/**
 * What BUG()/VM_BUG_ON_PAGE() would do to the calling task: the report is in dmesg and the
 * operation that hit it was abandoned before it changed any state.
 */
public class KernelBug extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KernelBug(String message) {
        super(message);
    }
}
