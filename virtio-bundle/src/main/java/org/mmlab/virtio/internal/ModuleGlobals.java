package org.mmlab.virtio.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.MemoryManager;

/**
 * The static data of drivers/virtio/virtio_balloon.c (v6.9, and the reviewed v7 patch's global) in one guest:
 * made when the module is loaded into that guest, gone when it is unloaded or the guest goes (a reboot
 * loads every module afresh). DeviceRegistry keeps the one of the guest that runs; a device keeps its
 * guest's for as long as it lives.
 */
final class ModuleGlobals {
    /** The guest whose module this is. */
    final MemoryManager mm;

    /**
     * The reviewed v7 patch's module global (seed 003), struct address_space *balloon_mapping: one for
     * every device of this module that runs the v7 lifecycle.
     */
    final AtomicReference<AddressSpace> balloonMapping = new AtomicReference<>();

    /** The module's WARN_ON_ONCE() sites that fired: their flags live in the module's .data.once. */
    final Set<String> warnedOnce = ConcurrentHashMap.newKeySet();

    ModuleGlobals(MemoryManager mm) {
        this.mm = mm;
    }
}
