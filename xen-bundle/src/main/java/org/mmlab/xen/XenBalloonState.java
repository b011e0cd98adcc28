package org.mmlab.xen;

/**
 * One XEN balloon at one moment, driver and hypervisor side; sizes in 4 KiB pages.
 *
 * @param name              the device's name, e.g. "0"
 * @param xenstoreTargetKiB memory/target in the xenstore, KiB
 * @param targetPages       balloon_stats.target_pages
 * @param currentPages      balloon_stats.current_pages
 * @param totalPages        balloon_stats.total_pages
 * @param ballooned         balloon_stats.balloon_low + balloon_high: pages on ballooned_pages
 * @param lent              pages backends took with xen_alloc_ballooned_pages() and hold
 * @param targetUnpopulated balloon_stats.target_unpopulated
 * @param state             the balloon thread's state: BP_DONE, BP_WAIT, BP_EAGAIN or BP_ECANCELED
 * @param scheduleDelay     balloon_stats.schedule_delay, seconds
 * @param hostHeld          frames the hypervisor holds (decrease_reservation took them)
 * @param dataLoss          guest accesses to frames the hypervisor held
 */
public record XenBalloonState(String name, long xenstoreTargetKiB, long targetPages, long currentPages,
        long totalPages, long ballooned, long lent, long targetUnpopulated, String state, long scheduleDelay,
        long hostHeld, long dataLoss) {
    /** The balloon's size: pages the domain gave up, ballooned or lent. */
    public long size() {
        return totalPages - currentPages;
    }
}
