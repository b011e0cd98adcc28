package org.mmlab.mm;

import java.util.function.Consumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bundle's own invariants, checked by mm:check with the machine stopped (whiteboard: register it as
 * an OSGi service). No task is inside a preempt-disabled section ({@link MemoryManager#preemptDisable})
 * while it runs, so lists kept under spinlocks are consistent. It must not take sleeping locks.
 */
@ConsumerType
public interface CheckContributor {
    /** What is checked, e.g. "balloon" or "virtio host 0": the prefix of its lines. */
    String name();

    /**
     * Checks; {@code summary} takes lines mm:check prints in any case (counts), {@code problems} takes
     * one line per violated invariant (any problem fails mm:check).
     */
    void check(Consumer<String> summary, Consumer<String> problems);
}
