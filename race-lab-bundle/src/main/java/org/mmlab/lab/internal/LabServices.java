package org.mmlab.lab.internal;

import org.mmlab.mm.admin.Compactor;
import org.mmlab.mm.admin.GuestCheck;
import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.lab.DebugSwitches;

/**
 * The services of mm-core a race uses that follow the running guest across reboots, so the race lab
 * holds them for as long as it runs (what a reboot or an unload takes away, {@link LabContext} tracks).
 */
record LabServices(GuestConfig config, Compactor compactor, DebugSwitches debug, GuestCheck check) {
}
