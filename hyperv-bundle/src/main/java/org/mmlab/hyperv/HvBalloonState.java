package org.mmlab.hyperv;

/**
 * One Hyper-V balloon at one moment, driver and host side; sizes in 4 KiB pages.
 *
 * @param name          the device's name, e.g. "0"
 * @param version       the dynamic-memory protocol version negotiated, e.g. "2.0 (WIN10)"
 * @param hostTarget    the balloon size the host wants
 * @param ballooned     dm->num_pages_ballooned: pages the driver gave the host
 * @param hostHeld      frames the simulated host holds (ballooned pages and the unbacked hot-add space)
 * @param floor         compute_balloon_floor(): the guest balloons no further than to leave this much
 * @param hotAddSpace   the pages the device's hot-add space has (0: no hot-add)
 * @param added         dm->num_pages_added: hot-added pages (whole 128 MiB blocks)
 * @param onlined       dm->num_pages_onlined: hot-added pages the host backs, online
 * @param fakeOffline   pages of the space kept back, PageOffline, until the host backs them
 * @param requests      balloon and unballoon requests the host sent
 * @param lastStatus    the last DM_STATUS_REPORT: "avail N committed N"
 * @param why           why the host stopped short of its target, or ""
 * @param dataLoss      guest accesses to frames the host held
 */
public record HvBalloonState(String name, String version, long hostTarget, long ballooned, long hostHeld, long floor,
        long hotAddSpace, long added, long onlined, long fakeOffline, long requests, String lastStatus, String why,
        long dataLoss) {
}
