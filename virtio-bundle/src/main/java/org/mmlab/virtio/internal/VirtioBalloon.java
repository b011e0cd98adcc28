package org.mmlab.virtio.internal;

import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_FREE_PAGE_HINT;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_MUST_TELL_HOST;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_PAGE_POISON;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_REPORTING;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_STATS_VQ;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.mmlab.balloon.BalloonDevInfo;
import org.mmlab.balloon.Balloons;
import org.mmlab.mm.AddressSpace;
import org.mmlab.mm.Errno;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.Ratelimit;
import org.mmlab.mm.hinting.PageAllocHinting;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.MmLab;

/**
 * Models drivers/virtio/virtio_balloon.c: struct virtio_balloon and the driver's paths, in the kernel's
 * order (probe, towards_target, fill_balloon, leak_balloon, update_balloon_size, tell_host, the
 * migratepage callback, deflate on OOM, remove). Stats are {@link BalloonStats}, free page hinting is
 * {@link FreePageHinting}, free page reporting is {@link PageReportingDev}, tell_host()'s handshake with
 * the host is {@link TellHost}.
 *
 * <p>Why fill, leak, migratepage, the OOM notifier and remove stay in one class: they are one state
 * machine over one request buffer: each fills vb->pfns under balloon_lock (rule i below) and keeps the
 * in-flight accounting (extra, missing, parked) that {@link BalloonDeviceCheck} reads under the ring
 * lock; fill and leak move num_pages, and the OOM notifier and remove_common() are leak_balloon()
 * calls. Split apart, those fields would be open to the whole package and their rules would sit away
 * from the code that keeps them.
 *
 * <p>Where the kernel waits for ever for the host (tell_host's wait_event), {@link TellHost} waits at
 * most ackTimeoutMs, then breaks the device (virtio_break_device) and says so in dmesg. Pages whose deflate
 * the host never acknowledged are not given back to the guest while MUST_TELL_HOST is negotiated: the
 * driver keeps a reference on them until the device is reset.
 *
 * <p>Locks, outermost first:
 * <ol type="i">
 * <li>balloon_lock (a mutex) serialises fill, leak and migratepage and their use of pfns[]; the
 *     migratepage callback only try-locks it, so no allocation made under it can wait for it.</li>
 * <li>No allocation is made while holding balloon_lock: fill_balloon allocates before it takes it.</li>
 * <li>The device's ring lock guards the rings, the host's frames and this driver's in-flight counters
 *     (extra, missing); it is held only for short sections that never enter mm code.</li>
 * </ol>
 */
public final class VirtioBalloon {
    static final String VQ_INFLATE = "inflate";
    static final String VQ_DEFLATE = "deflate";
    static final String VQ_STATS = "stats";
    static final String VQ_FREE_PAGE = "free_page_vq";
    /** VIRTIO_BALLOON_ARRAY_PFNS_MAX: PFNs per inflate or deflate request. */
    public static final int VIRTIO_BALLOON_ARRAY_PFNS_MAX = 256;
    /** VIRTIO_BALLOON_PAGES_PER_PAGE: PAGE_SIZE >> VIRTIO_BALLOON_PFN_SHIFT (4 KiB guest pages). */
    static final int VIRTIO_BALLOON_PAGES_PER_PAGE = Mm.PAGE_SIZE >> Uapi.VIRTIO_BALLOON_PFN_SHIFT;
    /** VIRTIO_BALLOON_OOM_NR_PAGES: pages one OOM notification deflates. */
    public static final int VIRTIO_BALLOON_OOM_NR_PAGES = 256;
    /** The ring size QEMU gives the inflate, deflate and stats queues, and the free page queue. */
    static final int VQ_SIZE = 128;
    static final int FREE_PAGE_VQ_SIZE = 1024;

    final VirtioDevice vdev;
    final MemoryManager mm;
    final MmLab lab;
    final Balloons balloons;
    /** msleep(200) after "Out of puff!" (tests may shorten it). */
    volatile long outOfPuffSleepMs = 200;
    BalloonDevInfo vbDevInfo;
    /** The module's choice of device for migration (VbPtr): the framework's, or the merged design outside it. */
    VbPtr vbPtr = new VbPtr();
    Virtqueue inflateVq;
    Virtqueue deflateVq;
    Virtqueue statsVq;

    /** balloon_lock, and its lockdep class (mm.lockdepAcquire/lockdepRelease around each use). */
    final ReentrantLock balloonLock = new ReentrantLock();
    static final String BALLOON_LOCK_CLASS = InjectionPoints.LOCK_VB_BALLOON;
    /** vb->num_pages: pages in the balloon (written under balloon_lock). */
    private volatile int numPages;
    /** vb->pfns and vb->num_pfns: the request being built (under balloon_lock). */
    private final int[] pfns = new int[VIRTIO_BALLOON_ARRAY_PFNS_MAX];
    private int numPfns;
    /** stop_update_lock and stop_update. */
    private final Object stopUpdateLock = new Object();
    private boolean stopUpdate;

    /** tell_host() and balloon_ack(): the inflate and deflate queues' handshake with the host. */
    private final TellHost tellHost;
    private final Workqueue systemFreezableWq;
    private final Workqueue.Work updateBalloonSizeWork;
    final BalloonStats stats;
    final FreePageHinting hinting;
    /** vb->pr_dev_info (v5.7) and v1's vb->a_dev_info: the device as a free page reporting device. */
    final PageReportingDev reporting;
    private final OomNotifier oomNb = this::virtioBalloonOomNotify;
    private final Ratelimit outOfPuffRatelimit = new Ratelimit();

    // ----- the lab's accounting for the check, guarded by the ring lock
    /** Pages given to the host (or about to be) that are not the device's: deflates not posted yet. */
    private long extra;
    /** Device pages whose inflate has not been posted yet. */
    private long missing;
    /** Pages whose deflate the host never acknowledged, kept (with a reference) until reset. */
    private final Deque<Integer> parked = new ArrayDeque<>();
    /** Fill, leak or an OOM deflate in progress: actual may differ from num_pages meanwhile. */
    private final AtomicInteger inProgress = new AtomicInteger();
    /** Pages the OOM notifier has deflated since probe (not in the kernel: virtio:target tells why it stalls). */
    private final AtomicLong oomDeflatedPages = new AtomicLong();
    private volatile boolean removed;
    /** Not in the kernel: told each time a work item of system_freezable_wq ended (a fill or leak step, stats). */
    private final List<Runnable> workDone = new CopyOnWriteArrayList<>();

    /** How probe makes the balloon mapping and how remove frees it (2012), and the injected probe fault. */
    private final MappingLifecycle lifecycle;
    /** v7: the module's balloon_mapping, shared with every other v7 device of the module. */
    private final AtomicReference<AddressSpace> balloonMapping;

    VirtioBalloon(VirtioDevice vdev, MemoryManager mm, MmLab lab, Balloons balloons, PageAllocHinting core,
            long ackTimeoutMs, MappingLifecycle lifecycle, AtomicReference<AddressSpace> balloonMapping) {
        this.vdev = vdev;
        this.mm = mm;
        this.lab = lab;
        this.balloons = balloons;
        this.tellHost = new TellHost(this, ackTimeoutMs);
        this.lifecycle = lifecycle;
        this.balloonMapping = balloonMapping;
        this.systemFreezableWq = new Workqueue("virtio_balloon " + vdev.devName + " events_freezable", lab,
                lab::awaitWorker);
        this.updateBalloonSizeWork = systemFreezableWq.work("update_balloon_size_func", this::updateBalloonSizeFunc);
        systemFreezableWq.afterEachWork(() -> workDone.forEach(Runnable::run));
        this.stats = new BalloonStats(this, systemFreezableWq);
        this.hinting = new FreePageHinting(this);
        this.reporting = new PageReportingDev(this, core, tellHost);
    }

    String dev() {
        return "virtio_balloon " + vdev.devName + ": ";
    }

    void devInfo(String text) {
        mm.printk(dev() + text);
    }

    // ================================================================ probe

    /** A probe that failed with an errno, which the driver core prints (really_probe()). */
    static final class ProbeFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int err;

        ProbeFailed(int err, String what) {
            super(what + ": " + err);
            this.err = err;
        }
    }

    /**
     * virtballoon_probe(): the device's features are negotiated (virtio core), then balloon_devinfo_init
     * and the balloon mapping (the configured lifecycle, {@link #balloonMappingInit}), init_vqs, free page
     * hinting and its shrinker, the OOM notifier, poison_val, virtio_device_ready, and a first config
     * check. If init_vqs() fails, the error path frees what was made (out_free_vb).
     */
    void virtballoonProbe() {
        balloonMappingInit();
        try {
            initVqs();
        } catch (RuntimeException e) {
            outFreeVb();
            throw e;
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
            hinting.init();
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) {
            mm.registerOomNotifier(oomNb);
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_PAGE_POISON)) {
            // memset(&poison_val, PAGE_POISON, sizeof(poison_val)), or 0 with init_on_free
            long poisonVal = mm.wantInitOnFree() ? 0 : 0x0101_0101L * Mm.PAGE_POISON;
            vdev.config.writeLe32(Uapi.CONFIG_POISON_VAL, poisonVal);
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_REPORTING)) {
            reporting.probe(); // page_reporting_register(&vb->pr_dev_info)
        }
        vdev.deviceReady(this::virtballoonChanged);
        if (towardsTarget() != 0) {
            virtballoonChanged();
        }
        vbPtr.probed(this); // v7's vb_ptr = vb (there before init_vqs; here once the device is ready)
    }

    /**
     * The balloon mapping, as the configured lifecycle makes it. v3.8: balloon_devinfo_init() with
     * balloon_mapping_alloc(), which allocates and initialises the mapping before b_dev_info->mapping
     * publishes it. v7 (seed 003, "Can balloon_mapping be dereferenced at this point?"): the module's
     * balloon_mapping = kmalloc(), published at once to every v7 device's fill_balloon, then initialised
     * through the global. The point virtio.mapping_published is where each lifecycle has published it.
     */
    private void balloonMappingInit() {
        boolean adjust = !vdev.hasFeature(VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
        String name = "virtio-balloon " + vdev.name;
        if (!lifecycle.v7Init()) {
            vbDevInfo = balloons.balloonDevinfoInit(name, this::virtballoonMigratepage, adjust);
            lab.injectionPoint(InjectionPoints.VIRTIO_MAPPING_PUBLISHED, -1);
            return;
        }
        vbDevInfo = balloons.balloonDevinfoInit(name, this::virtballoonMigratepage, adjust, balloonMapping::get);
        balloonMapping.set(balloons.balloonMappingKmalloc()); // balloon_mapping = kmalloc(sizeof(*balloon_mapping), ...)
        lab.injectionPoint(InjectionPoints.VIRTIO_MAPPING_PUBLISHED, -1);
        // INIT_RADIX_TREE(&balloon_mapping->page_tree, ...); ...; balloon_mapping->a_ops = &virtio_balloon_aops;
        balloons.balloonMappingInit(vbDevInfo, balloonMapping.get());
    }

    /**
     * kfree(balloon_mapping) of the v7 error path and remove; the fix the reviewer asked for ("No need to
     * set it to NULL?") clears the global. kfree(NULL) does nothing.
     */
    private void balloonMappingFree() {
        if (!lifecycle.v7Init()) {
            return; // v3.8: balloon_devinfo_remove() freed it with the device
        }
        AddressSpace m = balloonMapping.get();
        if (m != null) {
            balloons.balloonMappingKfree(m);
        }
        if (!lifecycle.v7Free()) {
            balloonMapping.set(null); // balloon_mapping = NULL, whatever device's it was: there is one
        }
    }

    /** The error path after init_vqs() failed: out_free_vb (kfree(vb), kfree(balloon_mapping)). */
    private void outFreeVb() {
        balloons.balloonDevinfoRemove(vbDevInfo);
        balloonMappingFree();
        destroyWorkqueue(systemFreezableWq);
    }

    /**
     * destroy_workqueue(): its worker is a thread of the driver's, outside the lab's schedules; a controlled
     * run's thread waits for it holding the baton, so how long it takes to end decides nothing.
     */
    void destroyWorkqueue(Workqueue wq) {
        lab.awaitOutside(() -> {
            wq.destroy();
            return null;
        });
    }

    /** init_vqs(): inflate and deflate (balloon_ack), stats (stats_request, primed), free_page_vq. */
    private void initVqs() {
        if (lifecycle.failInitVqs()) {
            throw new ProbeFailed(-Errno.ENOMEM, "init_vqs() (failInitVqs)"); // as virtio_find_vqs() failing would
        }
        List<String> names = new ArrayList<>(List.of(VQ_INFLATE, VQ_DEFLATE));
        List<Consumer<Virtqueue>> callbacks = new ArrayList<>(List.of(tellHost::balloonAck, tellHost::balloonAck));
        List<Integer> sizes = new ArrayList<>(List.of(VQ_SIZE, VQ_SIZE));
        if (vdev.hasFeature(VIRTIO_BALLOON_F_STATS_VQ)) {
            names.add(VQ_STATS);
            callbacks.add(stats::statsRequest);
            sizes.add(VQ_SIZE);
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
            names.add(VQ_FREE_PAGE);
            callbacks.add(null);
            sizes.add(FREE_PAGE_VQ_SIZE);
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_REPORTING)) {
            names.add(PageReportingDev.VQ_REPORTING);
            callbacks.add(tellHost::balloonAck);
            sizes.add(VQ_SIZE);
        }
        vdev.findVqs(names, callbacks, sizes);
        inflateVq = vdev.vq(VQ_INFLATE);
        deflateVq = vdev.vq(VQ_DEFLATE);
        statsVq = vdev.vq(VQ_STATS);
        if (statsVq != null) {
            stats.prime(statsVq); // "Prime this virtqueue with one buffer so the hypervisor can use it"
        }
        hinting.freePageVq = vdev.vq(VQ_FREE_PAGE);
        reporting.reportingVq = vdev.vq(PageReportingDev.VQ_REPORTING);
    }

    // ================================================================ config changes and the update work

    /** virtballoon_changed(): the config interrupt. */
    void virtballoonChanged() {
        synchronized (stopUpdateLock) {
            if (!stopUpdate) {
                startUpdateBalloonSize();
                hinting.virtioBalloonQueueFreePageWork();
            }
        }
    }

    /** start_update_balloon_size(). */
    private void startUpdateBalloonSize() {
        systemFreezableWq.queueWork(updateBalloonSizeWork);
    }

    /** towards_target(): ALIGN(num_pages, VIRTIO_BALLOON_PAGES_PER_PAGE) - vb->num_pages. */
    long towardsTarget() {
        long target = vdev.config.readLe32(Uapi.CONFIG_NUM_PAGES);
        target = (target + VIRTIO_BALLOON_PAGES_PER_PAGE - 1) / VIRTIO_BALLOON_PAGES_PER_PAGE
                * VIRTIO_BALLOON_PAGES_PER_PAGE;
        return target - numPages;
    }

    /** update_balloon_size_func(): one step towards the target, then again until there. */
    void updateBalloonSizeFunc() {
        if (vdev.broken()) {
            return; // the kernel would still wait in tell_host(); the lab said so when it broke the device
        }
        long diff = towardsTarget();
        if (diff == 0) {
            return;
        }
        inProgress.incrementAndGet();
        try {
            if (diff > 0) {
                diff -= fillBalloon(diff);
            } else {
                diff += leakBalloon(-diff);
            }
            updateBalloonSize();
        } finally {
            inProgress.decrementAndGet();
        }
        if (diff != 0 && !vdev.broken()) {
            systemFreezableWq.queueWork(updateBalloonSizeWork);
        }
    }

    /** update_balloon_size(): config actual = vb->num_pages. */
    void updateBalloonSize() {
        vdev.config.writeLe32(Uapi.CONFIG_ACTUAL, numPages);
    }

    // ================================================================ fill and leak

    /**
     * fill_balloon(): allocate up to 256 pages (outside balloon_lock), then under balloon_lock enqueue
     * each, set its PFN, count it, and tell the host with one inflate buffer. Returns pages added.
     */
    int fillBalloon(long num) {
        int n = (int) Math.min(num, VIRTIO_BALLOON_ARRAY_PFNS_MAX);
        int[] pages = new int[n];
        int got = 0;
        while (got < n) {
            int pfn = balloons.balloonPageAlloc();
            if (pfn == Mm.NO_PAGE) {
                if (outOfPuffRatelimit.allow("fill_balloon", mm::printk)) {
                    devInfo("Out of puff! Can't get " + VIRTIO_BALLOON_PAGES_PER_PAGE + " pages");
                }
                lab.msleep(outOfPuffSleepMs); // sleep for at least 1/5 of a second before retry
                break;
            }
            pages[got++] = pfn;
        }
        mm.lockdepAcquire(BALLOON_LOCK_CLASS, false);
        balloonLock.lock();
        try {
            numPfns = 0;
            int nrPages = numPages;
            mm.preemptDisable(); // the check sees the pages enqueued and counted in missing, or none of them
            try {
                for (int i = 0; i < got; i++) {
                    balloons.balloonPageEnqueue(vbDevInfo, pages[i]);
                    pfns[numPfns] = pages[i];
                    nrPages += VIRTIO_BALLOON_PAGES_PER_PAGE; // vb->num_pages, stored once for the request
                    numPfns += VIRTIO_BALLOON_PAGES_PER_PAGE;
                    // adjust_managed_page_count(page, -1) without DEFLATE_ON_OOM: done by the core (2026)
                }
            } finally {
                numPages = nrPages;
                synchronized (vdev.ringLock) {
                    missing += numPfns; // one section for the request, not one a page (the lab's, not the kernel's)
                }
                mm.preemptEnable();
            }
            int added = numPfns;
            if (numPfns != 0) {
                final int posted = numPfns;
                tellHost(inflateVq, () -> missing -= posted);
            }
            return added;
        } finally {
            mm.lockdepRelease(BALLOON_LOCK_CLASS);
            balloonLock.unlock();
        }
    }

    /**
     * leak_balloon(): under balloon_lock, take up to min(num, num_pages, 256) pages off the balloon,
     * tell the host with one deflate buffer, and only then release them (the order MUST_TELL_HOST
     * requires). Returns pages taken out.
     */
    int leakBalloon(long num) {
        mm.lockdepAcquire(BALLOON_LOCK_CLASS, false);
        balloonLock.lock();
        try {
            long n = Math.min(Math.min(num, VIRTIO_BALLOON_ARRAY_PFNS_MAX), numPages);
            int nrPages = numPages;
            mm.preemptDisable(); // the check sees the pages dequeued and counted in extra, or none of them
            try {
                for (numPfns = 0; numPfns < n; numPfns += VIRTIO_BALLOON_PAGES_PER_PAGE) {
                    int pfn = balloons.balloonPageDequeue(vbDevInfo);
                    if (pfn == Mm.NO_PAGE) {
                        break; // the rest are isolated by migration: retry later
                    }
                    pfns[numPfns] = pfn;
                    nrPages -= VIRTIO_BALLOON_PAGES_PER_PAGE; // vb->num_pages, stored once for the request
                }
            } finally {
                numPages = nrPages;
                synchronized (vdev.ringLock) {
                    extra += numPfns; // one section for the request, not one a page (the lab's, not the kernel's)
                }
                mm.preemptEnable();
            }
            int freed = numPfns;
            TellHost.Result told = TellHost.Result.ACKED;
            if (numPfns != 0) {
                final int posted = numPfns;
                told = tellHost(deflateVq, () -> extra -= posted);
            }
            releasePagesBalloon(freed, told);
            return freed;
        } finally {
            mm.lockdepRelease(BALLOON_LOCK_CLASS);
            balloonLock.unlock();
        }
    }

    /**
     * release_pages_balloon(): put_page() each page of the request (the kernel walks its list of them, the
     * lab the request's pfns[0..n), which balloon_lock keeps). Pages whose deflate the host has not
     * acknowledged stay with the driver while MUST_TELL_HOST is negotiated (the host may still hold them).
     */
    private void releasePagesBalloon(int n, TellHost.Result told) {
        if (told != TellHost.Result.ACKED && vdev.hasFeature(VIRTIO_BALLOON_F_MUST_TELL_HOST)) {
            synchronized (vdev.ringLock) {
                for (int i = 0; i < n; i += VIRTIO_BALLOON_PAGES_PER_PAGE) {
                    parked.add(pfns[i]);
                }
            }
            devInfo("keeping " + n + " deflated pages the host has not acknowledged (MUST_TELL_HOST)"
                    + " until the device is reset");
            return;
        }
        for (int i = 0; i < n; i += VIRTIO_BALLOON_PAGES_PER_PAGE) {
            mm.putPage(pfns[i]); // put_page(page): the balloon reference
        }
    }

    // ================================================================ tell_host

    /** tell_host(vb, vq): this request, vb->pfns[0..num_pfns), to the host ({@link TellHost}). */
    private TellHost.Result tellHost(Virtqueue vq, Runnable whenPosted) {
        return tellHost.tellHost(vq, pfns, numPfns, whenPosted);
    }

    /** How long tell_host() waits before it breaks the device. */
    public long ackTimeoutMs() {
        return tellHost.ackTimeoutMs;
    }

    /** How long tell_host() has been waiting for the host's acknowledgement (ms), or 0. */
    public long waitingForAckMs() {
        return tellHost.waitingForAckMs();
    }

    // ================================================================ migration

    /**
     * virtballoon_migratepage(): trylock balloon_lock (else -EAGAIN), tell the host newPfn is inflated,
     * then that pfn is deflated, return 0. Under 2025 the balloon infrastructure does the list,
     * reference and counter work after the return; under 2012 and 2016 the driver did it first, itself
     * (Balloons.balloonPageMigrated). Once the inflate of newPfn is posted the host may hold it, so the
     * migration succeeds; if the deflate of pfn is not acknowledged (MUST_TELL_HOST), pfn is kept.
     * The device is b's, or with vbPtr=global ({@link VbPtr}) the v7 patch's vb_ptr.
     */
    int virtballoonMigratepage(BalloonDevInfo b, int newPfn, int pfn, MigrateMode mode) {
        VirtioBalloon vb = vbPtr.migrationDevice(this);
        if (vb == this) {
            return migratepage(b, newPfn, pfn);
        }
        // the v7 patch: vb_ptr, the last device probed, whichever device's page this is (seed 003)
        if (vb.removed()) {
            mm.printk(String.format("BUG: KASAN: use-after-free in virtballoon_migratepage: vb_ptr is the struct"
                    + " virtio_balloon of %s, freed by its remove; pfn %#x stays where it is", vb.vdev.devName, pfn));
            return -Errno.EBUSY;
        }
        return vb.migratepage(vb.vbDevInfo, newPfn, pfn);
    }

    /** virtballoon_migratepage() on this device: b is its balloon_dev_info. */
    private int migratepage(BalloonDevInfo b, int newPfn, int pfn) {
        if (!balloonLock.tryLock()) {
            return -Errno.EAGAIN;
        }
        mm.lockdepAcquire(BALLOON_LOCK_CLASS, true);
        try {
            if (vdev.broken()) {
                return -Errno.EBUSY; // a broken device takes no buffer: the page stays where it is
            }
            if (balloons.contract() != MigrationContract.MOVABLE_OPS_2025) {
                // before 2026 the driver did the bookkeeping itself, first: newpage in, isolated_pages--,
                // page out. From here on its remove finds nothing isolated (seed 003's window)
                balloons.balloonPageMigrated(b, newPfn, pfn);
            }
            // balloon's page migration 1st step -- inflate "newpage"
            numPfns = VIRTIO_BALLOON_PAGES_PER_PAGE;
            pfns[0] = newPfn;
            TellHost.Result in = tellHost(inflateVq, () -> extra++);
            if (in == TellHost.Result.NOT_POSTED) {
                return -Errno.EBUSY;
            }
            // balloon's page migration 2nd step -- deflate "page"
            numPfns = VIRTIO_BALLOON_PAGES_PER_PAGE;
            pfns[0] = pfn;
            TellHost.Result out = tellHost(deflateVq, () -> extra--);
            if (out != TellHost.Result.ACKED && vdev.hasFeature(VIRTIO_BALLOON_F_MUST_TELL_HOST)) {
                mm.getPage(pfn); // the core's put_page() must not free a frame the host may hold
                synchronized (vdev.ringLock) {
                    parked.add(pfn);
                }
            }
            return 0;
        } finally {
            mm.lockdepRelease(BALLOON_LOCK_CLASS);
            balloonLock.unlock();
        }
    }

    // ================================================================ deflate on OOM

    /** virtio_balloon_oom_notify(): leak VIRTIO_BALLOON_OOM_NR_PAGES, update actual; returns pages freed. */
    long virtioBalloonOomNotify() {
        if (!vdev.hasFeature(VIRTIO_BALLOON_F_DEFLATE_ON_OOM) || removed) {
            return 0;
        }
        inProgress.incrementAndGet();
        try {
            long freed = leakBalloon(VIRTIO_BALLOON_OOM_NR_PAGES);
            updateBalloonSize();
            oomDeflatedPages.addAndGet(freed);
            return freed;
        } finally {
            inProgress.decrementAndGet();
        }
    }

    // ================================================================ remove

    /**
     * virtballoon_remove(), in v6.9's order: page_reporting_unregister(), unregister the OOM notifier and
     * the shrinker, stop updates, cancel the works, then remove_common(), and the device info goes. Nothing interrupts it, and it
     * loses no page (rules of v4.6 and v6.9 alike):
     * <ol type="i">
     * <li>stop_update is set before the works are cancelled, so no config change queues them again, and
     *     cancel_work_sync() waits for a running update_balloon_size_func(), which finishes its buffer in
     *     flight (tell_host() waits for the host's ack) and cannot requeue itself meanwhile.</li>
     * <li>remove_common() then leaks until num_pages is 0 and tells the host each deflate; the reset gives
     *     the host's frames back.</li>
     * </ol>
     * Bounded here: a host that stops acknowledging breaks the device after one ackTimeoutMs, and a broken
     * device drains without waiting.
     */
    void virtballoonRemove() {
        if (vdev.hasFeature(VIRTIO_BALLOON_F_REPORTING)) {
            reporting.remove();
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) {
            mm.unregisterOomNotifier(oomNb);
        }
        if (vdev.hasFeature(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
            hinting.unregisterShrinker();
        }
        synchronized (stopUpdateLock) {
            stopUpdate = true;
        }
        systemFreezableWq.cancelWorkSync(updateBalloonSizeWork);
        stats.cancel();
        if (vdev.hasFeature(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
            hinting.cancelAndDestroy();
        }
        removeCommon();
        destroyWorkqueue(systemFreezableWq);
        removed = true;
        balloons.balloonDevinfoRemove(vbDevInfo);
        balloonMappingFree();
    }

    /**
     * remove_common() (v6.9; v4.6 had no hinted pages to return): leak until num_pages is 0
     * (balloon_page_dequeue finds nothing while pages are isolated, so this retries until migration puts
     * them back), update actual, return hinted pages, reset the device, delete the queues.
     *
     * <p>The kernel's loop does not sleep: the scheduler runs compaction on another CPU, or preempts the
     * spinning task for it. The lab sleeps 1 ms every 1,000 fruitless leaks so that a spin does not take a
     * core from the thread it waits for; in a controlled run that msleep() is the point where the remove
     * yields, modelling that preemption: compaction goes on by the schedule, not by how long a sleep took.
     */
    void removeCommon() {
        long spins = 0;
        while (numPages != 0) {
            if (leakBalloon(numPages) == 0) {
                spins++;
                if (spins % 1000 == 0) {
                    lab.msleep(1); // isolated pages: wait for compaction to put them back
                } else {
                    Thread.onSpinWait();
                }
            }
        }
        updateBalloonSize();
        if (vdev.hasFeature(VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
            hinting.returnFreePagesToMm(Long.MAX_VALUE);
        }
        List<Integer> release;
        synchronized (vdev.ringLock) {
            vdev.resetLocked(); // virtio_reset_device(): the host gives every frame back
            extra = 0;
            missing = 0;
            release = new ArrayList<>(parked);
            parked.clear();
        }
        if (!release.isEmpty()) {
            devInfo("releasing " + release.size() + " pages the host never acknowledged, after the reset");
            for (int pfn : release) {
                mm.putPage(pfn);
            }
        }
        vdev.delVqs();
        tellHost.queuesDeleted();
    }

    // ================================================================ what the lab reads

    /** stop_update, read under stop_update_lock. */
    boolean updatesStopped() {
        synchronized (stopUpdateLock) {
            return stopUpdate;
        }
    }

    public int numPages() {
        return numPages;
    }

    /** Why the lab has no source for this stat tag (it is always 0), or null if the guest counts it. */
    public String statNoSource(int tag) {
        return stats.noSource(tag);
    }

    /** Pages the OOM notifier has deflated since probe. */
    public long oomDeflatedPages() {
        return oomDeflatedPages.get();
    }

    /** Tells r each time a step towards the target (or another work item) ended, until {@link #ignoreWorkDone}. */
    void onWorkDone(Runnable r) {
        workDone.add(r);
    }

    void ignoreWorkDone(Runnable r) {
        workDone.remove(r);
    }

    /**
     * No fill, leak or work of the driver's in progress or queued: update_balloon_size_func(), the stats work, and
     * report_free_page_func() on balloon-wq, which each config change queues with the update. Until 2026-12-08 the
     * free page work was left out, and a race's run could start while a config change's work still ran on balloon-wq:
     * virtballoon_remove()'s cancel_work_sync() then waited for it inside the run (race 8, about 1 run in 20,000 under
     * load: the admin passed over at its third decision).
     */
    public boolean idle() {
        return inProgress.get() == 0 && !systemFreezableWq.busy(updateBalloonSizeWork) && !stats.busy()
                && !hinting.busy();
    }

    /** extra, missing and parked pages, with the ring lock held by the caller. */
    long extraLocked() {
        return extra;
    }

    long missingLocked() {
        return missing;
    }

    int parkedLocked() {
        return parked.size();
    }

    boolean removed() {
        return removed;
    }
}
