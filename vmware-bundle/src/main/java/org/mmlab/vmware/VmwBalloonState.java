package org.mmlab.vmware;

import java.util.List;

/**
 * One VMware balloon at one moment, driver and hypervisor side. Sizes are 4 KiB frames unless named pages.
 *
 * @param name          the device's name, e.g. "0"
 * @param capabilities  the capabilities START negotiated, by name, e.g. "BATCHED_CMDS"
 * @param maxPageSize   the largest page the driver balloons: "2M" or "4k"
 * @param hostTarget    the frames the hypervisor wants in the balloon
 * @param target        b->target: the target the driver last read from the hypervisor
 * @param size          b->size: the frames the driver has inflated
 * @param pages4k       4 KiB pages in the balloon (on its list or isolated)
 * @param pages2m       2 MiB pages in the balloon (huge_pages)
 * @param isolatedPages of the 4 KiB pages, those migration holds now
 * @param hostHeld      frames the simulated hypervisor holds
 * @param resetting     b->reset_required: the driver resets the protocol at its next work
 * @param behaviour     the hypervisor's behaviour: "normal", "refuse 30%", "busy", "no-doorbell"
 * @param dataLoss      guest accesses to frames the hypervisor held
 * @param batchPages    the communication pages the driver allocated (one per reset with batching; none freed)
 * @param migratepage   which kernel's vmballoon_migratepage() handles a new page the hypervisor refuses:
 *                      "enoent" (the 2026 series), "success" (4ba5a8a7faa6) or "ebusy" (v5.1 to v6.18-rc2)
 */
public record VmwBalloonState(String name, List<String> capabilities, String maxPageSize, long hostTarget,
        long target, long size, long pages4k, long pages2m, long isolatedPages, long hostHeld, boolean resetting,
        String behaviour, long dataLoss, long batchPages, String migratepage) {
    public VmwBalloonState {
        capabilities = List.copyOf(capabilities);
    }
}
