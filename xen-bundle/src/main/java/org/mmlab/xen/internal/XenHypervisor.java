package org.mmlab.xen.internal;

import java.util.BitSet;

import org.mmlab.balloon.devices.HostFrameRuns;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;

/**
 * The hypervisor side of one XEN balloon (not in the kernel: what HYPERVISOR_memory_op() reaches), with
 * the rules drivers/xen/balloon.c v6.18.2 expects of it:
 * <ol type="i">
 * <li>XENMEM_decrease_reservation of a frame list takes every frame: its content is gone, and a guest
 *     access to it is data loss (the oracle of the other hosts). The driver BUG()s on fewer.</li>
 * <li>XENMEM_populate_physmap (increase_reservation) backs the frames it names again, zeroed, and returns
 *     how many it backed: here all of them (the lab's domain has no maximum reservation below its memory).</li>
 * </ol>
 */
public final class XenHypervisor implements Hypervisor {
    private final String name;
    private final MemoryManager mm;

    // guarded by this
    private final BitSet held = new BitSet();
    private long heldFrames;
    private long decreased;
    private long populated;
    private volatile long dataLoss;

    XenHypervisor(String name, MemoryManager mm) {
        this.name = name;
        this.mm = mm;
    }

    @Override
    public String name() {
        return "xen hypervisor " + name;
    }

    /** A decreased frame is gone until populated again: touching it is data loss. */
    @Override
    public boolean faultsInOnAccess() {
        return false;
    }

    @Override
    public void guestAccessedHeldFrame(int pfn, String access) {
        dataLoss++;
    }

    /**
     * Rule i: xenmem_reservation_decrease(); returns the frames taken. The frame list goes to mm-core in runs
     * ({@link MemoryManager#hostDiscardFrames}); a frame it refuses (another host holds it) throws, saying why,
     * after the frames before it were taken, as one call a frame had it.
     */
    synchronized int decreaseReservation(int[] frames, int n) {
        HostFrameRuns.discard(mm, this, frames, 0, n, (from, to) -> taken(frames, from, to));
        return n;
    }

    private void taken(int[] frames, int from, int to) {
        for (int i = from; i < to; i++) {
            held.set(frames[i]);
        }
        heldFrames += to - from;
        decreased += to - from;
    }

    /**
     * Rule ii: xenmem_reservation_increase(); returns the frames backed. The frame list goes to mm-core in runs
     * ({@link MemoryManager#hostPopulateFrames}); a frame no host holds throws, as one call a frame had it.
     */
    synchronized int increaseReservation(int[] frames, int n) {
        HostFrameRuns.populate(mm, frames, 0, n, (from, to) -> backed(frames, from, to));
        return n;
    }

    private void backed(int[] frames, int from, int to) {
        for (int i = from; i < to; i++) {
            held.clear(frames[i]);
        }
        heldFrames -= to - from;
        populated += to - from;
    }

    synchronized boolean holds(int pfn) {
        return held.get(pfn);
    }

    /** What xen:stats prints and the check compares. */
    public record View(long held, long decreased, long populated, long dataLoss) {
    }

    public synchronized View view() {
        return new View(heldFrames, decreased, populated, dataLoss);
    }
}
