package org.mmlab.mm.internal;

import org.mmlab.mm.CheckContributor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The whiteboard that hands every CheckContributor service to the running guest's mm:check. */
@Component(immediate = true)
public class CheckContributors {
    private final GuestMemory guest;

    @Activate
    public CheckContributors(@Reference MmCore core) {
        this.guest = core.guest();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindCheckContributor(CheckContributor c) {
        guest.checkContributors.add(c);
    }

    void unbindCheckContributor(CheckContributor c) {
        guest.checkContributors.remove(c);
    }
}
