package org.mmlab.mm.internal;

import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.admin.GuestCheck;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** mm:check of the running guest and its workload (GuestCheck). */
@Component(service = GuestCheck.class)
public class GuestCheckComponent implements GuestCheck {
    private final RunningGuest guests;

    @Activate
    public GuestCheckComponent(@Reference RunningGuest guests) {
        this.guests = guests;
    }

    @Override
    public CheckResult check() {
        MmCore core = guests.get();
        return MmCheck.run(core.guest(), core.workload());
    }
}
