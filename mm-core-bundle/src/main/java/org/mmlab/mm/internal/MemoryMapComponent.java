package org.mmlab.mm.internal;

import org.mmlab.mm.MemoryMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The running guest's memory map as a service ({@link PageblockMap}); it follows the guest across reboots. */
@Component
public class MemoryMapComponent implements MemoryMap {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    private volatile MmCore core;

    @Override
    public Pageblocks pageblocks() {
        return PageblockMap.pageblocks(guest());
    }

    @Override
    public PageblockPages pageblock(int index) {
        return PageblockMap.pageblock(guest(), index);
    }

    private GuestMemory guest() {
        MmCore c = core;
        if (c == null) {
            throw new IllegalStateException("no guest runs (mm:config says why)");
        }
        return c.guest();
    }
}
