package org.mmlab.virtio;

import java.util.List;

/**
 * One virtio-balloon device at one moment, driver and host side.
 *
 * @param name            the device's name, e.g. "0"
 * @param dev             its virtio device name in dmesg, e.g. "virtio0"
 * @param offered         the feature names the host offers, e.g. "MUST_TELL_HOST"
 * @param negotiated      the feature names both sides use
 * @param hostTarget      config num_pages: the pages the host wants in the balloon
 * @param actual          config actual: the pages the guest last said it has given
 * @param numPages        vb->num_pages: the pages the driver has inflated
 * @param isolatedPages   of those, pages migration holds now
 * @param hostHeld        frames the simulated host holds
 * @param ackedBuffers    buffers the host acknowledged since the device started
 * @param dataLoss        guest accesses to frames the host held and would not fault in
 * @param misbehaviour    the host's behaviour: "normal", "ack-delay N ms", "no-ack"
 * @param broken          true once the driver gave up on an acknowledgement (virtio_break_device)
 * @param hintedBlocks    free page hint blocks the driver holds (free_page_list)
 */
public record VirtioBalloonState(String name, String dev, List<String> offered, List<String> negotiated,
        long hostTarget, long actual, long numPages, long isolatedPages, long hostHeld, long ackedBuffers,
        long dataLoss, String misbehaviour, boolean broken, long hintedBlocks) {
    public VirtioBalloonState {
        offered = List.copyOf(offered);
        negotiated = List.copyOf(negotiated);
    }
}
