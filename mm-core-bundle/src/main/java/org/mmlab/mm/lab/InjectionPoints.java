package org.mmlab.mm.lab;

import java.util.Set;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The race lab's hook into the simulated kernel: a service registered by the lab (at most one is
 * used) that the kernel calls at every named injection point, where a controlled schedule may switch
 * to another simulated thread. Without one, points cost a volatile read.
 *
 * <p>It is also the one registry of the points' names (docs/race-lab.md says where each sits): mm-core,
 * the balloon infrastructure, the drivers and the race lab name their points with these constants,
 * and a race's script may name no other ({@link #known}), so renaming a point breaks the script's test
 * instead of leaving a window that never opens.
 */
@ConsumerType
public interface InjectionPoints {
    /**
     * Service property: true asks for a point "lock:CLASS" before every blocking acquire of a lock that
     * drivers and the balloon core annotate for lockdep ({@link org.mmlab.mm.MemoryManager#lockdepAcquire}, e.g.
     * "lock:balloon_pages_lock"), so that a schedule can interleave their critical sections. Off unless
     * asked: each lock operation then costs a scheduling decision.
     */
    String LOCK_POINTS = "mmlab.injection.locks";

    /** Each simulated thread's first step (the race lab's scheduler). */
    String START = "start";
    /** The unloading thread, once MODULE_STATE_GOING is set and before the driver's exit path runs. */
    String MODULE_GOING = "module.going";
    /** The unloading thread, once the module is gone (its bundle stopped). */
    String MODULE_GONE = "module.gone";
    /** isolate_movable_page(): after the lockless test, before get_page_unless_zero(). */
    String ISOLATE_GET_PAGE = "isolate.get_page";
    /** isolate_movable_page(): before trylock_page(). */
    String ISOLATE_TRYLOCK_PAGE = "isolate.trylock_page";
    /**
     * include/linux/balloon_compaction.h (v3.8) __is_movable_balloon_page(), from compaction's lockless
     * balloon_page_movable(): page->mapping is loaded and not NULL, mapping_balloon()'s load of
     * mapping-&gt;flags is next. No page lock is held: the driver's remove may drain the balloon and
     * balloon_mapping_free() the mapping in between (race 13).
     */
    String BALLOON_MAPPING_BALLOON = "balloon.mapping_balloon";
    /** The instant isolate_movable_page() returns, isolated or not. */
    String ISOLATE_RETURN = "isolate.return";
    /** An address_space was allocated (balloon_mapping_alloc(), alloc_anon_inode(), a driver's kmalloc()). */
    String MAPPING_ALLOC = "mapping.alloc";
    /** An address_space was freed. */
    String MAPPING_FREE = "mapping.free";

    /** mm/balloon.c: before spin_lock(pages_lock). */
    String BALLOON_LOCK = "balloon.lock";
    /** mm/balloon.c: before spin_unlock(pages_lock). */
    String BALLOON_UNLOCK = "balloon.unlock";
    /** mm/balloon.c: before list_add() of a balloon list. */
    String BALLOON_LIST_ADD = "balloon.list_add";
    /** mm/balloon.c: before list_del() of a balloon list (v7's leak path: between mapping = NULL and list_del()). */
    String BALLOON_LIST_DEL = "balloon.list_del";
    /** mm/balloon.c: before get_page() on a balloon path. */
    String BALLOON_GET_PAGE = "balloon.get_page";
    /** mm/balloon.c: before put_page() on a balloon path. */
    String BALLOON_PUT_PAGE = "balloon.put_page";
    /** After a 2012/2016 driver's own migration bookkeeping (balloon_page_migrated). */
    String BALLOON_MIGRATED = "balloon.migrated";

    /** virtio_balloon.c's probe made its balloon mapping visible (v7: before initialising it; v3.8: after). */
    String VIRTIO_MAPPING_PUBLISHED = "virtio.mapping_published";

    /**
     * vmw_balloon.c's vmballoon_migratepage(): the hypervisor has the old page back (UNLOCK), the new
     * one is not locked yet (race 9: the hypervisor's target may drop in between).
     */
    String VMW_MIGRATE_UNLOCKED = "vmw.migrate_unlocked";

    /** The race lab's balloon: between dequeue and release_pages_by_pfn() (telling the host). */
    String LAB_TELL_HOST = "lab.tell_host";
    /** The race lab's compaction thread: migrateRange() returned (races 4 and 5). */
    String LAB_MIGRATED = "lab.migrated";
    /** The race lab's admin thread: the virtio-balloon device it added has been probed (race 3). */
    String VIRTIO_PROBED = "virtio.probed";
    /** The race lab's host thread: the VMware balloon's hypervisor has its new target (race 9). */
    String LAB_HOST_TARGET = "lab.host_target";

    /**
     * mm/aeration.c ([PATCH v1 5/6]) aerator_scrub_zone(): aerator_fill() filled the batch, zone->lock is
     * dropped, react() is next: the pages are in the batch, off the free lists (between fill and drain).
     */
    String AERATOR_REACT = "aerator.react";
    /** aerator_scrub_zone(): react() returned and zone->lock is taken again; aerator_drain() is next. */
    String AERATOR_DRAIN = "aerator.drain";
    /** aerator_shutdown(): the static key is off; the wait for refcnt (v1's msleep(20) loop) is next. */
    String AERATOR_SHUTDOWN = "aerator.shutdown";
    /**
     * mm/page_reporting.c (v5.7) page_reporting_cycle(): the scatterlist is full (or the leftovers of
     * page_reporting_process_zone()), zone->lock is dropped, prdev->report() is next.
     */
    String REPORTING_REPORT = "reporting.report";
    /** page_reporting_cycle(): report() returned and zone->lock is taken again; page_reporting_drain() is next. */
    String REPORTING_DRAIN = "reporting.drain";
    /** The race lab's user thread: it allocated a page and wrote its data (race 11). */
    String LAB_USER_WROTE = "lab.user_wrote";
    /** msleep(): a sleep the lab takes as a scheduling event ({@link #sleep}). */
    String MSLEEP = "msleep";

    /** The points above. */
    Set<String> POINTS = Set.of(START, MODULE_GOING, MODULE_GONE, ISOLATE_GET_PAGE, ISOLATE_TRYLOCK_PAGE,
            BALLOON_MAPPING_BALLOON, ISOLATE_RETURN, MAPPING_ALLOC, MAPPING_FREE, BALLOON_LOCK, BALLOON_UNLOCK, BALLOON_LIST_ADD,
            BALLOON_LIST_DEL, BALLOON_GET_PAGE, BALLOON_PUT_PAGE, BALLOON_MIGRATED, VIRTIO_MAPPING_PUBLISHED,
            VMW_MIGRATE_UNLOCKED, LAB_TELL_HOST, LAB_MIGRATED, VIRTIO_PROBED, LAB_HOST_TARGET, AERATOR_REACT,
            AERATOR_DRAIN, AERATOR_SHUTDOWN, REPORTING_REPORT, REPORTING_DRAIN, LAB_USER_WROTE, MSLEEP);

    /** 2012: the migration core's hook into the balloon (mm/migrate.c of v3.8). */
    String CALL_ISOLATE_BALLOON_PAGE = "__isolate_balloon_page";
    String CALL_PUTBACK_BALLOON_PAGE = "__putback_balloon_page";
    /** 2012 and 2016: a driver's address_space_operations. */
    String CALL_A_OPS_ISOLATE_PAGE = "a_ops->isolate_page";
    String CALL_A_OPS_MIGRATEPAGE = "a_ops->migratepage";
    String CALL_A_OPS_PUTBACK_PAGE = "a_ops->putback_page";
    /** 2025: the movable_operations registered for a page type. */
    String CALL_MOPS_ISOLATE_PAGE = "mops->isolate_page";
    String CALL_MOPS_MIGRATE_PAGE = "mops->migrate_page";
    String CALL_MOPS_PUTBACK_PAGE = "mops->putback_page";
    /** The balloon infrastructure's call of its device's driver. */
    String CALL_B_DEV_INFO_MIGRATEPAGE = "b_dev_info->migratepage";
    /** shrink_slab() (mm/shrinker.c). */
    String CALL_SHRINKER_COUNT_OBJECTS = "shrinker->count_objects";
    String CALL_SHRINKER_SCAN_OBJECTS = "shrinker->scan_objects";
    /** blocking_notifier_call_chain() of the OOM notifiers (mm/oom_kill.c). */
    String CALL_OOM_NOTIFIER = "nb->notifier_call";
    /** Free page hinting: __free_one_page()'s calls into the design (aeration-bundle's mm/page_reporting.c, v5.7). */
    String CALL_PAGE_REPORTING_NOTIFY = "__page_reporting_notify";
    /** ... and into the 2019 aerator's mm/aeration.c ([PATCH v1 5/6]). */
    String CALL_AERATOR_NOTIFY = "__aerator_notify";
    String CALL_AERATOR_GET_TAIL = "__aerator_get_tail";
    String CALL_AERATOR_ADD_TO_BOUNDARY = "aerator_add_to_boundary";
    String CALL_AERATOR_DEL_FROM_BOUNDARY = "__aerator_del_from_boundary";
    /** The designs' calls of the hinting device's driver (virtio_balloon.c): v5.7's report(), v1's react(). */
    String CALL_PRDEV_REPORT = "prdev->report";
    String CALL_A_DEV_INFO_REACT = "a_dev_info->react";
    /** process_one_work() (kernel/workqueue.c): a driver's work item, e.g. update_balloon_size_func(). */
    String CALL_WORK_FUNC = "work->func";
    /** The host's interrupts: vring_interrupt() (drivers/virtio/virtio_ring.c) calls the queue's callback... */
    String CALL_VQ_CALLBACK = "vq->callback";
    /** ... virtio_config_changed() (drivers/virtio/virtio.c) the driver's config_changed()... */
    String CALL_CONFIG_CHANGED = "drv->config_changed";
    /** ... the VMCI doorbell (drivers/misc/vmw_vmci/vmci_doorbell.c) its notify_cb()... */
    String CALL_DOORBELL_NOTIFY = "entry->notify_cb";
    /** ... VMBus (drivers/hv/connection.c) the channel's callback, e.g. balloon_onchannelcallback()... */
    String CALL_ONCHANNEL_CALLBACK = "channel->onchannel_callback";
    /** ... and xenwatch_thread() (drivers/xen/xenbus/xenbus_xs.c) a xenstore watch's callback. */
    String CALL_WATCH_CALLBACK = "watch->callback";

    /** Every call from the core into a driver's code ({@link MmLab#callIntoModule}), by name. */
    Set<String> CALLS = Set.of(CALL_ISOLATE_BALLOON_PAGE, CALL_PUTBACK_BALLOON_PAGE, CALL_A_OPS_ISOLATE_PAGE,
            CALL_A_OPS_MIGRATEPAGE, CALL_A_OPS_PUTBACK_PAGE, CALL_MOPS_ISOLATE_PAGE, CALL_MOPS_MIGRATE_PAGE,
            CALL_MOPS_PUTBACK_PAGE, CALL_B_DEV_INFO_MIGRATEPAGE, CALL_SHRINKER_COUNT_OBJECTS,
            CALL_SHRINKER_SCAN_OBJECTS, CALL_OOM_NOTIFIER, CALL_PAGE_REPORTING_NOTIFY, CALL_AERATOR_NOTIFY,
            CALL_AERATOR_GET_TAIL, CALL_AERATOR_ADD_TO_BOUNDARY, CALL_AERATOR_DEL_FROM_BOUNDARY, CALL_PRDEV_REPORT,
            CALL_A_DEV_INFO_REACT, CALL_WORK_FUNC, CALL_VQ_CALLBACK, CALL_CONFIG_CHANGED, CALL_DOORBELL_NOTIFY,
            CALL_ONCHANNEL_CALLBACK, CALL_WATCH_CALLBACK);

    /** 2025: mm/balloon.c's one lock for every device. */
    String LOCK_BALLOON_PAGES = "balloon_pages_lock";
    /** 2012 and 2016: each device's pages_lock. */
    String LOCK_B_DEV_INFO_PAGES = "&b_dev_info->pages_lock";
    /** virtio_balloon.c's balloon_lock. */
    String LOCK_VB_BALLOON = "&vb->balloon_lock";

    /** vmw_balloon.c's conf_sem (a rw_semaphore: reset writes, the work, migration and the shrinker read). */
    String LOCK_VMW_CONF_SEM = "&b->conf_sem";
    /** vmw_balloon.c's comm_lock (a spinlock around every backdoor command; after conf_sem). */
    String LOCK_VMW_COMM = "&b->comm_lock";

    /** The lock classes whose blocking acquires are points ({@link #LOCK_POINTS}). */
    Set<String> LOCKS = Set.of(LOCK_BALLOON_PAGES, LOCK_B_DEV_INFO_PAGES, LOCK_VB_BALLOON, LOCK_VMW_CONF_SEM,
            LOCK_VMW_COMM);

    /** The point at the entry of a call into a driver: "call.enter:" and the call with "->" written ".". */
    static String callEnter(String call) {
        return "call.enter:" + call.replace("->", ".");
    }

    /** The point the instant before a call into a driver returns. */
    static String callReturn(String call) {
        return "call.return:" + call.replace("->", ".");
    }

    /** The point before a blocking acquire of a lock of this class. */
    static String lock(String lockClass) {
        return "lock:" + lockClass;
    }

    /** True if the point is in the registry: a point above, a call's entry or return, or a lock's. */
    static boolean known(String point) {
        if (POINTS.contains(point)) {
            return true;
        }
        for (String call : CALLS) {
            if (point.equals(callEnter(call)) || point.equals(callReturn(call))) {
                return true;
            }
        }
        for (String lock : LOCKS) {
            if (point.equals(lock(lock))) {
                return true;
            }
        }
        return false;
    }

    /** The calling thread reached the named point, about pfn (or -1). */
    void at(String point, int pfn);

    /**
     * The calling thread is about to sleep ms milliseconds at the named point ({@link #MSLEEP}): true if the
     * lab took the sleep as a scheduling event instead (a thread of a controlled run yields there, and the
     * others go on as they would while it sleeps), false if the caller must sleep. Without this, how much
     * the others did while a thread slept would depend on the machine's speed.
     */
    default boolean sleep(String point, long ms) {
        return false;
    }

    /**
     * The calling thread waits for work outside the lab's schedules: the host's acknowledgement (tell_host()'s
     * wait_event()), a driver's own worker thread (destroy_workqueue()). Returns what wait returns. A thread of
     * a controlled run keeps the baton meanwhile, so no other thread of the run goes on and how long that work
     * takes on this machine decides nothing.
     */
    default <T> T awaitOutside(Supplier<T> wait) {
        return wait.get();
    }

    /**
     * The calling thread waits for a work item that worker, a thread outside the lab's schedules, runs
     * (cancel_work_sync() waiting for a running work, kernel/workqueue.c): returns what wait returns. A thread of a
     * controlled run keeps the baton while the worker can finish, as {@link #awaitOutside}, and gives it up as soon
     * as the worker waits for a lock that a thread of the run stopped at a point holds, instead of hanging the run.
     *
     * @since 2.11
     */
    default <T> T awaitWorker(Thread worker, Supplier<T> wait) {
        return wait.get();
    }

    /**
     * The calling thread let go of lock with no point before its next step, and a thread blocked on it may wake
     * (up_read() and up_write() of an rw_semaphore: the OOM notifier chain's, the shrinkers'). A thread of a
     * controlled run that holds the baton waits here until every thread that release woke has reached its next
     * point, or is blocked again: what the two do next does not depend on which of them the machine ran first.
     */
    default void released(String lock) {
    }
}
