package org.mmlab.mm.admin;

import org.osgi.annotation.versioning.ProviderType;

/** mm:check: every invariant of the running guest's whole memory and of the workload's data, at once. */
@ProviderType
public interface GuestCheck {
    /** Stops the machine and checks; the result says what was checked, what is broken and the verdict. */
    CheckResult check();
}
