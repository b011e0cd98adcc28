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

    private final Map<Handle, Runnable> doorbells = new ConcurrentHashMap<>();
    private final AtomicLong nextResource = new AtomicLong(1);
    private final ModuleCaller calls;

    VmciDoorbell(ModuleCaller calls) {
        this.calls = calls;
    }

    /** vmci_doorbell_create(): a new handle whose ringing calls notify. */
    Handle create(Runnable notify) {
        Handle h = new Handle(GUEST_CONTEXT_ID, nextResource.getAndIncrement());
        doorbells.put(h, notify);
        return h;
    }

    /** vmci_doorbell_destroy(): the handle rings nothing any more. */
    void destroy(Handle h) {
        doorbells.remove(h);
    }

    /** The hypervisor rings the doorbell (context, resource); false if no such doorbell exists. */
    boolean ring(long context, long resource) {
        Runnable notify = doorbells.get(new Handle(context, resource));
        if (notify == null) {
            return false;
        }
        try (ModuleCall c = calls.callIntoModule(notify, InjectionPoints.CALL_DOORBELL_NOTIFY, -1)) {
            notify.run();
        }
        return true;
    }
}
