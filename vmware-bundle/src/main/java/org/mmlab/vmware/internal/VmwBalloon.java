package org.mmlab.vmware.internal;

import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_BASIC_CMDS;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_BATCHED_2M_CMDS;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_BATCHED_CMDS;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_SUCCESS;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.Errno;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;

/**
 * Models drivers/misc/vmw_balloon.c (v6.18.2): struct vmballoon, the backdoor commands
 * (__vmballoon_cmd(), START, GET_TARGET, GUEST_ID), batching, the VMCI doorbell, vmballoon_change(), the
 * periodic vmballoon_work(), the reset, and the module's init and exit. Inflation and deflation are
 * {@link VmwPages}, migration {@link VmwMigrate}, the shrinker {@link VmwShrinker}.
 *
 * <p>Locks, outermost first (v6.18.2's comments):
 * <ol type="i">
 * <li>conf_sem (a rw_semaphore) protects the configuration: the reset holds it for writing; the work,
 *     migration and the shrinker for reading, the last two only by trylock (-EAGAIN, or no work).</li>
 * <li>comm_lock (a spinlock) protects the communication with the host: the batch page and b->page. The lab
 *     holds it until b->size and the balloon's lists agree with the host again ({@link VmwPages}, rule v),
 *     so that mm:check (stop_machine) never sees them disagree.</li>
 * <li>huge_pages, the list of 2 MiB pages, has its own lock (the 2026 series' huge_pages_lock; v6.18.2
 *     borrowed b_dev_info.pages_lock).</li>
 * </ol>
 */
public final class VmwBalloon {
    /** round_jiffies_relative(HZ): the work's period. */
    static final long WORK_PERIOD_MS = 1_000;

    final String name;
    final MemoryManager mm;
    final MmLab lab;
    final Balloons balloons;
    /** For __SetPageOffline()/__ClearPageOffline() of 2 MiB pages, which the infrastructure never sees. */
    final MovablePages movablePages;
    private final Backdoor backdoor;
    final BatchPages batchPages;
    private final VmciDoorbell vmci;
    final MigrateVersion migrateVersion;
    final VmwStats stats = new VmwStats();
    final VmwPages pages;
    private final VmwShrinker shrinker;

    /** b->max_page_size, under conf_sem. */
    volatile PageSize maxPageSize = PageSize.VMW_BALLOON_4K_PAGE;
    /** b->size: frames in the balloon. */
    final AtomicLong size = new AtomicLong();
    /** b->target: the frames the hypervisor last asked for. */
    volatile long target;
    /** b->reset_required. */
    volatile boolean resetRequired;
    /** b->capabilities, under conf_sem. */
    volatile long capabilities;
    /** The static key vmw_balloon_batching. */
    volatile boolean batching;
    /** b->batch_page, its PFN and entries; null without batching. */
    volatile int batchPagePfn = Mm.NO_PAGE;
    volatile long[] batchPage;
    /** b->batch_max_pages. */
    volatile int batchMaxPages = 1;
    /** b->page: the page of a non-batched LOCK or UNLOCK, under comm_lock. */
    int page = Mm.NO_PAGE;
    /** b->shrink_timeout, in System.nanoTime(). */
    volatile long shrinkTimeout = System.nanoTime();
    /** b->b_dev_info. */
    BalloonDevInfo bDevInfo;
    /** b->dwork. */
    final DelayedWork dwork;
    /** b->vmci_doorbell, under conf_sem. */
    private VmciDoorbell.Handle vmciDoorbell = VmciDoorbell.Handle.INVALID;
    final ReentrantReadWriteLock confSem = new ReentrantReadWriteLock();
    final ReentrantLock commLock = new ReentrantLock();

    // ----- what the lab reads (not in the kernel, whose counters start only when vmmemctl is read)
    /** The status of the last LOCK or UNLOCK command the hypervisor answered. */
    volatile long lastLockStatus = VMW_BALLOON_SUCCESS;
    /** What the last inflation met: the status of the last page the hypervisor refused, a failed allocation. */
    volatile long lastRefusal = VMW_BALLOON_SUCCESS;
    volatile boolean lastAllocFailed;
    final AtomicLong allocFailures = new AtomicLong();
    final AtomicLong refusedPages = new AtomicLong();
    /** Batch pages allocated (vmballoon_init_batching()); none is ever freed but by a later deinit. */
    final AtomicLong batchPagesAllocated = new AtomicLong();

    VmwBalloon(String name, MemoryManager mm, MmLab lab, Balloons balloons, MovablePages movablePages,
            Backdoor backdoor, BatchPages batchPages, VmciDoorbell vmci, boolean shrinkerEnable,
            MigrateVersion migrateVersion) {
        this.name = name;
        this.mm = mm;
        this.lab = lab;
        this.balloons = balloons;
        this.movablePages = movablePages;
        this.backdoor = backdoor;
        this.batchPages = batchPages;
        this.vmci = vmci;
        this.migrateVersion = migrateVersion;
        this.pages = new VmwPages(this);
        this.shrinker = shrinkerEnable ? new VmwShrinker(this) : null;
        this.dwork = new DelayedWork("vmw_balloon " + name + " events_freezable", this::vmballoonWork, lab);
    }

    void printk(String text) {
        mm.printk("vmw_balloon " + name + ": " + text);
    }

    // ================================================================ the backdoor

    /**
     * __vmballoon_cmd(): counts the command, runs it through the backdoor, takes the target from the
     * commands that carry one, counts a failure, and a RESET status makes a reset required. result[0]
     * gets ecx for START, ebx otherwise.
     */
    long vmballoonCmd(int cmd, long arg1, long arg2, long[] result) {
        stats.opInc(cmd, false);
        Backdoor.Registers r = backdoor.inl(Protocol.VMW_BALLOON_HV_MAGIC, cmd, Protocol.VMW_BALLOON_HV_PORT, arg1,
                arg2);
        long status = r.eax();
        if (result != null) {
            result[0] = cmd == Protocol.VMW_BALLOON_CMD_START ? r.ecx() : r.ebx();
        }
        if (status == VMW_BALLOON_SUCCESS && (1L << cmd & Protocol.VMW_BALLOON_CMD_WITH_TARGET_MASK) != 0) {
            target = r.ebx();
        }
        if (status != VMW_BALLOON_SUCCESS && status != Protocol.VMW_BALLOON_SUCCESS_WITH_CAPABILITIES) {
            stats.opInc(cmd, true);
        }
        if (status == Protocol.VMW_BALLOON_ERROR_RESET) {
            resetRequired = true;
        }
        return status;
    }

    long vmballoonCmd(int cmd, long arg1, long arg2) {
        return vmballoonCmd(cmd, arg1, arg2, null);
    }

    /**
     * vmballoon_send_start(): the capabilities the hypervisor grants (BASIC_CMDS if it reports none), and
     * 2 MiB pages only with batching too ("do not use 2MB without batching", v4.20). -EIO on failure.
     */
    int vmballoonSendStart(long reqCaps) {
        long[] caps = new long[1];
        long status = vmballoonCmd(Protocol.VMW_BALLOON_CMD_START, reqCaps, 0, caps);
        if (status == Protocol.VMW_BALLOON_SUCCESS_WITH_CAPABILITIES) {
            capabilities = caps[0];
        } else if (status == VMW_BALLOON_SUCCESS) {
            capabilities = VMW_BALLOON_BASIC_CMDS;
        } else {
            return -Errno.EIO;
        }
        maxPageSize = (capabilities & VMW_BALLOON_BATCHED_2M_CMDS) != 0 && (capabilities & VMW_BALLOON_BATCHED_CMDS) != 0
                ? PageSize.VMW_BALLOON_2M_PAGE : PageSize.VMW_BALLOON_4K_PAGE;
        return 0;
    }

    /** vmballoon_send_guest_id(). */
    int vmballoonSendGuestId() {
        long status = vmballoonCmd(Protocol.VMW_BALLOON_CMD_GUEST_ID, Protocol.VMW_BALLOON_GUEST_ID, 0);
        return status == VMW_BALLOON_SUCCESS ? 0 : -Errno.EIO;
    }

    /**
     * vmballoon_send_get_target(): tells the host totalram_pages() as the limit (-EINVAL if it does not
     * fit 32 bits without 64_BIT_TARGET); the target comes back with the status.
     */
    int vmballoonSendGetTarget() {
        long limit = mm.totalramPages();
        if ((capabilities & Protocol.VMW_BALLOON_64_BIT_TARGET) == 0 && limit != (limit & 0xffff_ffffL)) {
            return -Errno.EINVAL;
        }
        long status = vmballoonCmd(Protocol.VMW_BALLOON_CMD_GET_TARGET, limit, 0);
        return status == VMW_BALLOON_SUCCESS ? 0 : -Errno.EIO;
    }

    // ================================================================ batching and the doorbell

    /** vmballoon_init_batching(): a zeroed page for the entries (alloc_page(GFP_KERNEL | __GFP_ZERO)). */
    int vmballoonInitBatching() {
        int pfn = mm.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_ZERO, 0);
        if (pfn == Mm.NO_PAGE) {
            return -Errno.ENOMEM;
        }
        // v6.18.2 does not free the batch page it had: one page per reset, which the lab keeps as the kernel does
        batchPagesAllocated.incrementAndGet();
        batchPage = batchPages.map(pfn);
        batchPagePfn = pfn;
        batchMaxPages = Protocol.VMW_BALLOON_BATCH_MAX_PAGES;
        batching = true;
        return 0;
    }

    /** vmballoon_deinit_batching(): the page freed, one page per command. */
    void vmballoonDeinitBatching() {
        if (batchPagePfn != Mm.NO_PAGE) {
            batchPages.unmap(batchPagePfn);
            mm.freePages(batchPagePfn, 0);
        }
        batchPage = null;
        batchPagePfn = Mm.NO_PAGE;
        batching = false;
        batchMaxPages = 1;
    }

    /** vmballoon_doorbell(): the host changed the target; run the work now. */
    void vmballoonDoorbell() {
        stats.genAdd(VmwStats.General.DOORBELL, 1);
        dwork.modDelayedWork(0);
    }

    /** vmballoon_vmci_cleanup(): the host forgets the doorbell (even one it never had), and it is destroyed. */
    void vmballoonVmciCleanup() {
        vmballoonCmd(Protocol.VMW_BALLOON_CMD_VMCI_DOORBELL_SET, VmciDoorbell.VMCI_INVALID_ID,
                VmciDoorbell.VMCI_INVALID_ID);
        if (!vmciDoorbell.invalid()) {
            vmci.destroy(vmciDoorbell);
            vmciDoorbell = VmciDoorbell.Handle.INVALID;
        }
    }

    /** vmballoon_vmci_init(): with SIGNALLED_WAKEUP_CMD, a doorbell the host rings on a new target. */
    int vmballoonVmciInit() {
        if ((capabilities & Protocol.VMW_BALLOON_SIGNALLED_WAKEUP_CMD) == 0) {
            return 0;
        }
        vmciDoorbell = vmci.create(this::vmballoonDoorbell);
        long status = vmballoonCmd(Protocol.VMW_BALLOON_CMD_VMCI_DOORBELL_SET, vmciDoorbell.context(),
                vmciDoorbell.resource());
        if (status != VMW_BALLOON_SUCCESS) {
            vmballoonVmciCleanup();
            return -Errno.EIO;
        }
        return 0;
    }

    // ================================================================ the work

    /**
     * vmballoon_change(): target - size, or 0 while a reset is required, within the 2 MiB slack of a
     * deflation that does not empty the balloon, or for an inflation within VMBALLOON_SHRINK_DELAY of a
     * shrink.
     */
    long vmballoonChange() {
        long s = size.get();
        long t = target;
        if (resetRequired) {
            return 0;
        }
        if (t < s && t != 0 && s - t < PageSize.VMW_BALLOON_2M_PAGE.frames()) {
            return 0;
        }
        if (t > s && System.nanoTime() - shrinkTimeout < 0) {
            return 0;
        }
        return t - s;
    }

    /**
     * vmballoon_reset(), conf_sem held for writing: the doorbell cleaned up, the balloon popped without
     * telling the host (it reset its own side), START, batching set up or torn down, the doorbell again,
     * GUEST_ID. A failed START or batching leaves the reset required: the work tries again in a second.
     */
    void vmballoonReset() {
        mm.lockdepAcquire(InjectionPoints.LOCK_VMW_CONF_SEM, false);
        confSem.writeLock().lock();
        try {
            vmballoonVmciCleanup();
            pages.vmballoonPop();
            if (vmballoonSendStart(Protocol.VMW_BALLOON_CAPABILITIES) != 0) {
                return;
            }
            if ((capabilities & VMW_BALLOON_BATCHED_CMDS) != 0) {
                if (vmballoonInitBatching() != 0) {
                    vmballoonSendStart(0); // "inform the monitor about it by sending a null capability"
                    return;
                }
            } else if ((capabilities & VMW_BALLOON_BASIC_CMDS) != 0) {
                vmballoonDeinitBatching();
            }
            stats.genAdd(VmwStats.General.RESET, 1);
            resetRequired = false;
            if (vmballoonVmciInit() != 0) {
                printk("failed to initialize vmci doorbell");
            }
            if (vmballoonSendGuestId() != 0) {
                printk("failed to send guest ID to the host");
            }
        } finally {
            mm.lockdepRelease(InjectionPoints.LOCK_VMW_CONF_SEM);
            confSem.writeLock().unlock();
        }
    }

    /**
     * vmballoon_work(): a reset if required, then under conf_sem GET_TARGET and a step towards it, and the
     * next run in a second (a doorbell may bring it forward).
     */
    void vmballoonWork() {
        if (resetRequired) {
            vmballoonReset();
        }
        mm.lockdepAcquire(InjectionPoints.LOCK_VMW_CONF_SEM, false);
        confSem.readLock().lock();
        try {
            stats.genAdd(VmwStats.General.TIMER, 1);
            long change = vmballoonSendGetTarget() == 0 ? vmballoonChange() : 0;
            if (change > 0) {
                pages.vmballoonInflate();
            } else if (change < 0) {
                pages.vmballoonDeflate(0, true);
            }
        } finally {
            mm.lockdepRelease(InjectionPoints.LOCK_VMW_CONF_SEM);
            confSem.readLock().unlock();
        }
        dwork.queueDelayedWork(WORK_PERIOD_MS);
    }

    // ================================================================ init and exit

    /**
     * vmballoon_init() (a late_initcall; the hypervisor check is the device's existence): the shrinker if
     * enabled, balloon_devinfo_init() with vmballoon_migratepage (compaction support came with v5.1, so a
     * 2012 guest's balloon pages are not movable), the 2 MiB list, a reset required, and the work queued now.
     */
    void vmballoonInit() {
        if (shrinker != null) {
            shrinker.register();
        }
        boolean compaction = balloons.contract() != MigrationContract.BALLOON_2012;
        bDevInfo = balloons.balloonDevinfoInit("vmw-balloon " + name,
                compaction ? new VmwMigrate(this)::vmballoonMigratepage : null, false);
        pages.initHugePages();
        resetRequired = true;
        dwork.queueDelayedWork(0);
    }

    /**
     * vmballoon_exit(), in the kernel's order: the shrinker, the doorbell, the work cancelled, debugfs, then
     * START(0) (the host releases every frame first, "to avoid potential for additional spurious resets
     * from guest touching deallocated pages") and the pop, which waits for pages migration holds. The
     * kernel never frees the batch page here; neither does the lab. Not in the kernel, whose balloon is
     * static: the device info and the 2 MiB list head go, and the work's thread.
     */
    void vmballoonExit() {
        if (shrinker != null) {
            shrinker.unregister();
        }
        vmballoonVmciCleanup();
        dwork.cancelDelayedWorkSync();
        stats.disable();
        vmballoonSendStart(0);
        pages.vmballoonPop();
        balloons.balloonDevinfoRemove(bDevInfo);
        pages.freeHugePages();
        dwork.destroy();
    }

    // ================================================================ what the lab reads

    /** vmballoon_debug_show(): enables the statistics on the first read (conf_sem for writing), then the text. */
    String vmmemctl() {
        if (!stats.enabled()) {
            mm.lockdepAcquire(InjectionPoints.LOCK_VMW_CONF_SEM, false);
            confSem.writeLock().lock();
            try {
                stats.enable();
            } finally {
                mm.lockdepRelease(InjectionPoints.LOCK_VMW_CONF_SEM);
                confSem.writeLock().unlock();
            }
        }
        return stats.show(capabilities, resetRequired, target, size.get());
    }

    /** No work running or due now. */
    public boolean idle() {
        return !dwork.busy();
    }

    /** b->size: frames in the balloon. */
    public long size() {
        return size.get();
    }

    /** Whether vmmemctl has been read (the statistics are on). */
    public boolean statsEnabled() {
        return stats.enabled();
    }

    /**
     * The driver has read this target and has nothing to do for it: the balloon holds it exactly, or
     * within the 2 MiB slack of vmballoon_change() above a non-zero target, no reset is pending, and
     * no work is running or due.
     */
    public boolean reached(long frames) {
        long s = size.get();
        boolean there = s == frames || frames < s && frames != 0 && s - frames < PageSize.VMW_BALLOON_2M_PAGE.frames();
        return there && target == frames && !resetRequired && idle();
    }

    /** Why the balloon is not at this target (for vmw:target's message), from what the driver saw last. */
    public String whyNotAt(long frames) {
        long status = lastLockStatus;
        if (status == Protocol.VMW_BALLOON_ERROR_BUSY) {
            return "the hypervisor answers BUSY (vmw:host " + name + " normal repairs it); the driver tries again every"
                    + " second";
        }
        if (resetRequired) {
            return "the driver is resetting the protocol with the hypervisor; it tries again every second";
        }
        if (target != frames) {
            return "the driver has not read the new target yet (" + target + " frames): it reads it at its next work";
        }
        long s = size.get();
        if (s < frames && shrinkDelayLeftMs() > 0) {
            return "the shrinker deflated the balloon under memory pressure: inflation waits VMBALLOON_SHRINK_DELAY ("
                    + Protocol.VMBALLOON_SHRINK_DELAY_S + " s), and the guest still needs that memory";
        }
        if (s < frames && lastAllocFailed) {
            return "the guest has no free page to give (" + allocFailures.get() + " allocations failed); the driver"
                    + " tries again every second";
        }
        if (s < frames && lastRefusal != VMW_BALLOON_SUCCESS) {
            return "the hypervisor refuses pages (" + Protocol.statusName(lastRefusal) + ": " + refusedPages.get()
                    + " refused so far); the driver tries again every second";
        }
        long isolated = bDevInfo.isolatedPages();
        if (s > frames && isolated > 0) {
            return isolated + " pages are isolated by migration; the driver tries again every second";
        }
        return "no closer to the target for 5 s (last hypervisor status " + Protocol.statusName(status)
                + "); the driver tries again every second";
    }

    /** Inflation waits for VMBALLOON_SHRINK_DELAY after a shrink: ms left, or 0. */
    long shrinkDelayLeftMs() {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(shrinkTimeout - System.nanoTime()));
    }
}
