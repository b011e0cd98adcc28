package org.mmlab.vmware.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;
import org.mmlab.mm.lab.ModuleCaller;

/**
 * A sliver of drivers/misc/vmw_vmci for one guest: vmci_doorbell_create() and vmci_doorbell_destroy()
 * of the guest's doorbells, and the hypervisor ringing one by its handle. The balloon's doorbell is
 * created with VMCI_FLAG_DELAYED_CB: its callback may sleep; vmballoon_doorbell() only modifies a delayed
 * work, so it runs on the ringing thread here, through the lab's use-after-unload check ("entry->notify_cb"):
 * VMCI's code calling the balloon module's.
 */
final class VmciDoorbell {
    /** VMCI_INVALID_ID. */
    static final long VMCI_INVALID_ID = 0xffff_ffffL;
    /** The guest's VMCI context id (VMCI_HOST_CONTEXT_ID is 2; guests get others). */
    static final long GUEST_CONTEXT_ID = 3;

    /** struct vmci_handle: context and resource. */
    record Handle(long context, long resource) {
        /** VMCI_INVALID_HANDLE. */
        static final Handle INVALID = new Handle(VMCI_INVALID_ID, VMCI_INVALID_ID);

        /** vmci_handle_is_invalid(). */
        boolean invalid() {
            return equals(INVALID);
        }
    }

    /**
     * struct dbell_entry with its vmci_resource's reference count: the table holds one reference, a ring
     * in flight another, and vmci_resource_remove() waits until the last one is put (v6.18.2).
     */
    private static final class Entry {
        final Runnable notify;
        private int refs = 1;
        private boolean removed;

        Entry(Runnable notify) {
            this.notify = notify;
        }

        /** vmci_resource_get() of an entry still in the table. */
        synchronized boolean get() {
            if (removed) {
                return false;
            }
            refs++;
            return true;
        }

        /** vmci_resource_put(): the last reference completes resource->done. */
        synchronized void put() {
            if (--refs == 0) {
                notifyAll();
            }
        }

        /** vmci_resource_remove(): the table's reference put, then wait_for_completion(&resource->done). */
        synchronized void removeAndWait() {
            removed = true;
            put();
            boolean interrupted = false;
            while (refs > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // wait_for_completion() is uninterruptible
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final Map<Handle, Entry> doorbells = new ConcurrentHashMap<>();
    private final AtomicLong nextResource = new AtomicLong(1);
    private final ModuleCaller calls;

    VmciDoorbell(ModuleCaller calls) {
        this.calls = calls;
    }

    /** vmci_doorbell_create(): a new handle whose ringing calls notify. */
    Handle create(Runnable notify) {
        Handle h = new Handle(GUEST_CONTEXT_ID, nextResource.getAndIncrement());
        doorbells.put(h, new Entry(notify));
        return h;
    }

    /**
     * vmci_doorbell_destroy(): the handle rings nothing any more, and a callback a ring started has
     * returned when this does (vmci_resource_remove() waits for it): the module may go after it.
     */
    void destroy(Handle h) {
        Entry e = doorbells.remove(h);
        if (e != null) {
            e.removeAndWait();
        }
    }

    /**
     * The hypervisor rings the doorbell (context, resource); false if no such doorbell exists.
     * dbell_fire_entries() takes a reference and dbell_delayed_dispatch() puts it after notify_cb.
     */
    boolean ring(long context, long resource) {
        Entry e = doorbells.get(new Handle(context, resource));
        if (e == null || !e.get()) {
            return false;
        }
        try (ModuleCall c = calls.callIntoModule(e.notify, InjectionPoints.CALL_DOORBELL_NOTIFY, -1)) {
            e.notify.run();
        } finally {
            e.put();
        }
        return true;
    }
}
