package org.mmlab.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The host side of guest frames a device gave back to it (QEMU's ram_block_discard_range() on an
 * inflated page): see {@link MemoryManager#hostDiscardFrame}. The guest memory asks the holder what
 * an access by the guest to such a frame means.
 */
@ConsumerType
public interface Hypervisor {
    /** The host's name in reports, e.g. "virtio-balloon host 0". */
    String name();

    /**
     * True if the host faults a fresh zeroed frame in when the guest touches a discarded one (virtio
     * without MUST_TELL_HOST: the guest may reuse a page before telling the host), so the access is
     * no loss; false if such an access is data loss (the host may discard it at any moment until told).
     */
    boolean faultsInOnAccess();

    /**
     * The guest touched a frame this host holds: for the host's own counters. Called once per access,
     * after the guest memory printed its report; {@code access} is what the guest did, e.g. "user store".
     */
    void guestAccessedHeldFrame(int pfn, String access);
}
