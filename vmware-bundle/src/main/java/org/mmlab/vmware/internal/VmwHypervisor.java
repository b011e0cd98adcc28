package org.mmlab.vmware.internal;

import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_BUSY;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_CMD_INVALID;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_PPN_INVALID;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_PPN_LOCKED;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_PPN_NOTNEEDED;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_PPN_PINNED;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_PPN_UNLOCKED;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_ERROR_RESET;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_SUCCESS;

import java.util.BitSet;

import org.mmlab.balloon.devices.HostFrameRuns;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.Ratelimit;
import org.mmlab.vmware.internal.Backdoor.Registers;

/**
 * The hypervisor side of one VMware balloon (not in the kernel: what the backdoor reaches), with the
 * rules vmw_balloon.c v6.18.2 expects of it:
 * <ol type="i">
 * <li>START negotiates the capabilities the guest asks for and the hypervisor offers (a hypervisor that
 *     offers BASIC_CMDS alone answers SUCCESS, without capabilities), and restarts the balloon: every
 *     frame it held is the guest's again. START(0) disconnects the guest (vmballoon_exit()).</li>
 * <li>Until a START, every other command answers ERROR_RESET; so does everything after the hypervisor
 *     resets its balloon on its own (it gives every frame back first).</li>
 * <li>LOCK takes frames: the guest's content is discarded and a guest access to a held frame is data
 *     loss (the same oracle as virtio's host). It refuses a frame out of range or misaligned
 *     (PPN_INVALID), already held (PPN_LOCKED), or beyond its target (PPN_NOTNEEDED: it has enough
 *     memory). UNLOCK gives frames back, and refuses one it does not hold (PPN_UNLOCKED).</li>
 * <li>A command the negotiated capabilities do not cover, or a number with no command, answers
 *     ERROR_CMD_INVALID. The commands of VMW_BALLOON_CMD_WITH_TARGET_MASK answer with the target in ebx.</li>
 * <li>A new target rings the guest's doorbell, if it set one (VMCI_DOORBELL_SET).</li>
 * </ol>
 * It can be told to misbehave ({@link HostBehaviour}: refuse a share of the pages, answer BUSY to every
 * LOCK and UNLOCK, drop the doorbell) or to reset its balloon ({@link #demandReset()}).
 */
public final class VmwHypervisor implements Hypervisor {
    private final String name;
    private final MemoryManager mm;
    private final VmciDoorbell vmci;
    private final BatchPages batchPages;
    private final long offered;
    private final Ratelimit conflictRatelimit = new Ratelimit();

    // guarded by this
    private final BitSet held = new BitSet();
    private long heldFrames;
    private boolean started;
    private long capabilities;
    private long target;
    private long guestLimit;
    private long guestType;
    private VmciDoorbell.Handle doorbell = VmciDoorbell.Handle.INVALID;
    private HostBehaviour behaviour = HostBehaviour.NORMAL;
    private int refuseCredit;
    private long locked;
    private long unlocked;
    private long refused;
    private long busyAnswers;
    private long resetsDemanded;
    private long doorbellsRung;
    private long conflicts;
    private volatile long dataLoss;
    /** A batch's frames, one run to mm-core; where each entry's start in it; the books after each entry taken. */
    private int[] run = new int[0];
    private int[] entryStart = new int[0];
    private int[] creditAfter = new int[0];
    private long[] refusedAfter = new long[0];

    VmwHypervisor(String name, MemoryManager mm, VmciDoorbell vmci, BatchPages batchPages, long offered, long target,
            HostBehaviour behaviour) {
        this.name = name;
        this.mm = mm;
        this.vmci = vmci;
        this.batchPages = batchPages;
        this.offered = offered;
        this.target = target;
        this.behaviour = behaviour;
    }

    @Override
    public String name() {
        return "vmware hypervisor " + name;
    }

    /** A locked frame's content is gone: the guest must not touch it until it UNLOCKed it. */
    @Override
    public boolean faultsInOnAccess() {
        return false;
    }

    @Override
    public synchronized void guestAccessedHeldFrame(int pfn, String access) {
        dataLoss++;
    }

    // ---------------------------------------------------------------- the backdoor

    /** One backdoor command (rules i to iv). */
    synchronized Registers command(int cmd, long arg1, long arg2) {
        if (cmd < 0 || cmd > Protocol.VMW_BALLOON_CMD_LAST || Protocol.CMD_NAMES[cmd] == null) {
            return status(VMW_BALLOON_ERROR_CMD_INVALID);
        }
        if (cmd == Protocol.VMW_BALLOON_CMD_START) {
            return start(arg1);
        }
        if (!started) {
            return status(VMW_BALLOON_ERROR_RESET);
        }
        if ((capabilities & required(cmd)) != required(cmd)) {
            return status(VMW_BALLOON_ERROR_CMD_INVALID);
        }
        if (behaviour.busy() && cmd != Protocol.VMW_BALLOON_CMD_GET_TARGET
                && (Protocol.VMW_BALLOON_CMD_WITH_TARGET_MASK & 1L << cmd) != 0) {
            busyAnswers++;
            return status(VMW_BALLOON_ERROR_BUSY);
        }
        switch (cmd) {
            case Protocol.VMW_BALLOON_CMD_GET_TARGET:
                guestLimit = arg1;
                return withTarget(VMW_BALLOON_SUCCESS);
            case Protocol.VMW_BALLOON_CMD_GUEST_ID:
                guestType = arg1;
                return status(VMW_BALLOON_SUCCESS);
            case Protocol.VMW_BALLOON_CMD_LOCK:
                return withTarget(arg2 != 1 ? VMW_BALLOON_ERROR_CMD_INVALID : lock(arg1, 1));
            case Protocol.VMW_BALLOON_CMD_UNLOCK:
                return withTarget(arg2 != 1 ? VMW_BALLOON_ERROR_CMD_INVALID : unlock(arg1, 1));
            case Protocol.VMW_BALLOON_CMD_BATCHED_LOCK:
                return batch(arg1, arg2, true, PageSize.VMW_BALLOON_4K_PAGE);
            case Protocol.VMW_BALLOON_CMD_BATCHED_UNLOCK:
                return batch(arg1, arg2, false, PageSize.VMW_BALLOON_4K_PAGE);
            case Protocol.VMW_BALLOON_CMD_BATCHED_2M_LOCK:
                return batch(arg1, arg2, true, PageSize.VMW_BALLOON_2M_PAGE);
            case Protocol.VMW_BALLOON_CMD_BATCHED_2M_UNLOCK:
                return batch(arg1, arg2, false, PageSize.VMW_BALLOON_2M_PAGE);
            default: // VMCI_DOORBELL_SET
                doorbell = new VmciDoorbell.Handle(arg1, arg2);
                return status(VMW_BALLOON_SUCCESS);
        }
    }

    /** The capabilities a command needs (rule iv). */
    private static long required(int cmd) {
        return switch (cmd) {
            case Protocol.VMW_BALLOON_CMD_LOCK, Protocol.VMW_BALLOON_CMD_UNLOCK -> Protocol.VMW_BALLOON_BASIC_CMDS;
            case Protocol.VMW_BALLOON_CMD_BATCHED_LOCK, Protocol.VMW_BALLOON_CMD_BATCHED_UNLOCK ->
                Protocol.VMW_BALLOON_BATCHED_CMDS;
            case Protocol.VMW_BALLOON_CMD_BATCHED_2M_LOCK, Protocol.VMW_BALLOON_CMD_BATCHED_2M_UNLOCK ->
                Protocol.VMW_BALLOON_BATCHED_CMDS | Protocol.VMW_BALLOON_BATCHED_2M_CMDS;
            case Protocol.VMW_BALLOON_CMD_VMCI_DOORBELL_SET -> Protocol.VMW_BALLOON_SIGNALLED_WAKEUP_CMD;
            default -> 0;
        };
    }

    /** START (rule i). */
    private Registers start(long requested) {
        releaseAll();
        doorbell = VmciDoorbell.Handle.INVALID;
        capabilities = requested & offered & Protocol.VMW_BALLOON_CAPABILITIES;
        started = requested != 0;
        if ((offered & ~Protocol.VMW_BALLOON_BASIC_CMDS) == 0) {
            capabilities = started ? Protocol.VMW_BALLOON_BASIC_CMDS : 0;
            return status(VMW_BALLOON_SUCCESS); // an old hypervisor reports no capabilities
        }
        return new Registers(Protocol.VMW_BALLOON_SUCCESS_WITH_CAPABILITIES, 0, capabilities);
    }

    /**
     * A batched LOCK or UNLOCK: each entry of the guest's batch page gets its own status, as if its page were
     * locked or unlocked alone in turn (a refused entry stays refused); the frames of the entries taken or given
     * back go to mm-core in one run ({@link MemoryManager#hostDiscardFrames}, {@link
     * MemoryManager#hostPopulateFrames}) instead of one call a frame.
     */
    private Registers batch(long batchPfn, long n, boolean lock, PageSize size) {
        long[] entries = batchPages.at(batchPfn);
        if (entries == null || n < 0 || n > entries.length) {
            return withTarget(entries == null ? VMW_BALLOON_ERROR_PPN_INVALID : VMW_BALLOON_ERROR_CMD_INVALID);
        }
        if (lock) {
            batchLock(entries, (int) n, size.frames());
        } else {
            batchUnlock(entries, (int) n, size.frames());
        }
        return withTarget(VMW_BALLOON_SUCCESS);
    }

    /**
     * The LOCK of entries[0..n): each entry's status decided in turn (lockStatus(), which takes its frames in
     * this hypervisor's books), then the frames of those it took discarded in one run. A frame another host
     * holds stops the run: the frames of its entry already discarded are given back, the entry is refused as
     * one LOCK would be (PPN_LOCKED), and the entries after it are decided again, from the books as they were
     * after it (refuse credit and counts included), as the per-entry LOCKs would have seen them.
     */
    private void batchLock(long[] entries, int n, int frames) {
        int[] run = scratch(n * frames);
        int[] start = entryStart(n);
        int from = 0;
        while (from < n) {
            int r = 0;
            for (int i = from; i < n; i++) {
                long pfn = Protocol.entryPfn(entries[i]);
                int st = lockStatus(pfn, frames);
                entries[i] = Protocol.withStatus(entries[i], st);
                start[i] = -1;
                if (st == VMW_BALLOON_SUCCESS) {
                    start[i] = r;
                    creditAfter[i] = refuseCredit;
                    refusedAfter[i] = refused;
                    for (int f = 0; f < frames; f++) {
                        run[r++] = (int) pfn + f;
                    }
                }
            }
            int stop = mm.hostDiscardFrames(run, 0, r, this);
            if (stop == r) {
                return;
            }
            int e = from;
            while (start[e] < 0 || stop >= start[e] + frames) {
                e++;
            }
            String why = refusal(run[stop]);
            if (stop > start[e] && mm.hostPopulateFrames(run, start[e], stop) != stop) {
                throw new IllegalStateException(name() + ": cannot give back the frames it just took");
            }
            for (int j = e; j < n; j++) { // the books as they were before entry e took its frames
                if (start[j] >= 0) {
                    int first = run[start[j]];
                    held.clear(first, first + frames);
                    heldFrames -= frames;
                    locked -= frames;
                }
            }
            refuseCredit = creditAfter[e];
            refused = refusedAfter[e];
            entries[e] = Protocol.withStatus(entries[e], conflict(why));
            from = e + 1;
        }
    }

    /** The UNLOCK of entries[0..n): each entry's status in turn, the frames of those given back in one run. */
    private void batchUnlock(long[] entries, int n, int frames) {
        int[] run = scratch(n * frames);
        int r = 0;
        for (int i = 0; i < n; i++) {
            long pfn = Protocol.entryPfn(entries[i]);
            int st = unlockStatus(pfn, frames);
            entries[i] = Protocol.withStatus(entries[i], st);
            if (st == VMW_BALLOON_SUCCESS) {
                for (int f = 0; f < frames; f++) {
                    run[r++] = (int) pfn + f;
                }
            }
        }
        populate(run, r);
    }

    /** hostPopulateFrame() of run[0..n) in runs; a frame no host holds throws, saying why, as one call would. */
    private void populate(int[] run, int n) {
        HostFrameRuns.populate(mm, run, 0, n, (from, to) -> {
        });
    }

    /** Why mm-core refused to discard pfn: hostDiscardFrame() says it, and changes nothing. */
    private String refusal(int pfn) {
        try {
            mm.hostDiscardFrame(pfn, this);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        throw new IllegalStateException(name() + ": pfn " + pfn + " refused in a run, taken alone");
    }

    /** A LOCK of a frame another host holds: the guest gave one page to two balloons. */
    private int conflict(String why) {
        conflicts++;
        if (conflictRatelimit.allow(name(), mm::printk)) {
            mm.printk("WARNING: " + name() + ": LOCK of a frame another host holds: " + why);
        }
        return count(VMW_BALLOON_ERROR_PPN_LOCKED);
    }

    /** The run of a batch's frames, n at least (guarded by this). */
    private int[] scratch(int n) {
        if (run.length < n) {
            run = new int[n];
        }
        return run;
    }

    /** Where each entry's frames start in the run, -1 for an entry refused (guarded by this). */
    private int[] entryStart(int n) {
        if (entryStart.length < n) {
            entryStart = new int[n];
            creditAfter = new int[n];
            refusedAfter = new long[n];
        }
        return entryStart;
    }

    /** The frames of one page become the hypervisor's (rule iii): a LOCK of one page. */
    private int lock(long pfn, int frames) {
        int st = lockStatus(pfn, frames);
        if (st != VMW_BALLOON_SUCCESS) {
            return st;
        }
        int first = (int) pfn;
        for (int i = 0; i < frames; i++) {
            try {
                mm.hostDiscardFrame(first + i, this);
            } catch (IllegalStateException e) {
                for (int j = 0; j < i; j++) {
                    mm.hostPopulateFrame(first + j);
                }
                held.clear(first, first + frames);
                heldFrames -= frames;
                locked -= frames;
                return conflict(e.getMessage());
            }
        }
        return VMW_BALLOON_SUCCESS;
    }

    /**
     * Whether the hypervisor takes the page (rule iii), and if so the page in its books (held, counted): the
     * caller discards its frames, and takes it out of the books again if mm-core refuses one.
     */
    private int lockStatus(long pfn, int frames) {
        if (!valid(pfn, frames)) {
            return count(VMW_BALLOON_ERROR_PPN_INVALID);
        }
        int first = (int) pfn;
        if (held.nextSetBit(first) >= 0 && held.nextSetBit(first) < first + frames) {
            return count(VMW_BALLOON_ERROR_PPN_LOCKED);
        }
        if (heldFrames + frames > target) {
            return count(VMW_BALLOON_ERROR_PPN_NOTNEEDED);
        }
        refuseCredit += behaviour.refusePct();
        if (refuseCredit >= 100) {
            refuseCredit -= 100;
            return count(VMW_BALLOON_ERROR_PPN_PINNED);
        }
        held.set(first, first + frames);
        heldFrames += frames;
        locked += frames;
        return VMW_BALLOON_SUCCESS;
    }

    /** The frames of one page are the guest's again (rule iii): an UNLOCK of one page. */
    private int unlock(long pfn, int frames) {
        int st = unlockStatus(pfn, frames);
        if (st == VMW_BALLOON_SUCCESS) {
            for (int i = 0; i < frames; i++) {
                mm.hostPopulateFrame((int) pfn + i);
            }
        }
        return st;
    }

    /** Whether the hypervisor gives the page back (rule iii), and if so the page out of its books. */
    private int unlockStatus(long pfn, int frames) {
        if (!valid(pfn, frames)) {
            return count(VMW_BALLOON_ERROR_PPN_INVALID);
        }
        int first = (int) pfn;
        if (held.nextClearBit(first) < first + frames) {
            return count(VMW_BALLOON_ERROR_PPN_UNLOCKED);
        }
        held.clear(first, first + frames);
        heldFrames -= frames;
        unlocked += frames;
        return VMW_BALLOON_SUCCESS;
    }

    /** A page of the guest's memory, aligned to its size. */
    private boolean valid(long pfn, int frames) {
        return pfn >= 0 && pfn + frames <= mm.nrPages() && pfn % frames == 0;
    }

    private int count(int refusal) {
        refused++;
        return refusal;
    }

    private Registers status(long status) {
        return new Registers(status, 0, 0);
    }

    /** A command of VMW_BALLOON_CMD_WITH_TARGET_MASK: the target in ebx (32 bits without 64_BIT_TARGET). */
    private Registers withTarget(long status) {
        boolean wide = (capabilities & Protocol.VMW_BALLOON_64_BIT_TARGET) != 0;
        return new Registers(status, wide ? target : Math.min(target, 0xffff_ffffL), 0);
    }

    /** Every held frame is the guest's again, in runs of the scratch array. */
    private void releaseAll() {
        int[] run = scratch(4096);
        int n = 0;
        for (int pfn = held.nextSetBit(0); pfn >= 0; pfn = held.nextSetBit(pfn + 1)) {
            run[n++] = pfn;
            if (n == run.length) {
                populate(run, n);
                n = 0;
            }
        }
        populate(run, n);
        held.clear();
        heldFrames = 0;
        refuseCredit = 0;
    }

    // ---------------------------------------------------------------- what the hypervisor does on its own

    /** A new target (rule v): the doorbell rings unless the hypervisor drops it. */
    public void setTarget(long frames) {
        VmciDoorbell.Handle ring;
        synchronized (this) {
            target = frames;
            ring = started && !behaviour.noDoorbell() ? doorbell : VmciDoorbell.Handle.INVALID;
            if (!ring.invalid()) {
                doorbellsRung++;
            }
        }
        if (!ring.invalid()) {
            vmci.ring(ring.context(), ring.resource());
        }
    }

    public synchronized void setBehaviour(HostBehaviour b) {
        behaviour = b;
        refuseCredit = 0;
    }

    /**
     * The hypervisor resets its balloon (rule ii), as after a migration of the VM: every frame is the
     * guest's again, and every command answers ERROR_RESET until the guest STARTs. Returns the frames it
     * gave back.
     */
    public synchronized long demandReset() {
        long frames = heldFrames;
        releaseAll();
        started = false;
        doorbell = VmciDoorbell.Handle.INVALID;
        resetsDemanded++;
        return frames;
    }

    /** The device goes: whatever a driver that did not START(0) left held is given back. */
    synchronized void stop() {
        releaseAll();
        started = false;
    }

    // ---------------------------------------------------------------- the hypervisor's view

    /** What `vmw:host` prints and the check compares. */
    public record View(long target, long held, boolean started, long capabilities, long offered, String behaviour,
            long locked, long unlocked, long refused, long busyAnswers, long resetsDemanded, long doorbellsRung,
            boolean doorbellSet, long guestLimit, long guestType, long conflicts, long dataLoss) {
    }

    public synchronized View view() {
        return new View(target, heldFrames, started, capabilities, offered, behaviour.toString(), locked, unlocked,
                refused, busyAnswers, resetsDemanded, doorbellsRung, !doorbell.invalid(), guestLimit, guestType,
                conflicts, dataLoss);
    }

    public synchronized long target() {
        return target;
    }

    synchronized boolean holds(int pfn) {
        return held.get(pfn);
    }

    public synchronized HostBehaviour behaviour() {
        return behaviour;
    }
}
