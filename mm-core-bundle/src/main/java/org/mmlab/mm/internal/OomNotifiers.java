package org.mmlab.mm.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.mmlab.mm.OomNotifier;
import org.mmlab.mm.lab.InjectionPoints;
import org.mmlab.mm.lab.ModuleCall;

/**
 * Models mm/oom_kill.c's oom_notify_list, a blocking notifier chain (kernel/notifier.c): calls run
 * under the chain's rwsem for reading, and unregister_oom_notifier() takes it for writing, so on
 * return no call into the notifier is running (a driver may then go). Each call into a notifier is a
 * call into its driver's code, checked for use after unload. A blocking chain's notifiers may sleep (on a
 * driver's mutex, as virtio's leak_balloon() takes balloon_lock): while they run, the allocating task is
 * not in mm code that stop_machine() must wait for.
 */
final class OomNotifiers {
    private final List<OomNotifier> chain = new CopyOnWriteArrayList<>();
    /** The lock's name: oom_notify_list's rwsem (mm/oom_kill.c's BLOCKING_NOTIFIER_HEAD). */
    static final String RWSEM = "oom_notify_list.rwsem";
    private final ReentrantReadWriteLock rwsem = new ReentrantReadWriteLock();
    /** The guest's stop_machine(); a machine nobody stops until the guest gives its own. */
    private volatile StopMachine stopMachine = new StopMachine();

    void setStopMachine(StopMachine sm) {
        stopMachine = sm;
    }

    void register(OomNotifier n) {
        chain.add(n);
    }

    /** blocking_notifier_chain_unregister(): waits for calls in flight; calls (or null) tells the lab of the up_write(). */
    void unregister(OomNotifier n, ModuleCalls calls) {
        rwsem.writeLock().lock();
        try {
            chain.remove(n);
        } finally {
            rwsem.writeLock().unlock();
            ModuleCalls.released(calls, RWSEM); // wakes calls waiting for the unregistration
        }
    }

    /** blocking_notifier_call_chain(): the pages every notifier freed. */
    long callChain(ModuleCalls calls) {
        if (chain.isEmpty()) {
            return 0;
        }
        StopMachine sm = stopMachine;
        int depth = sm.sleep(); // sleepable context: mm:check's stop_machine() need not wait for it
        rwsem.readLock().lock();
        try {
            long freed = 0;
            for (OomNotifier n : chain) {
                try (ModuleCall c = calls.enter(n, InjectionPoints.CALL_OOM_NOTIFIER, -1)) {
                    freed += n.oomNotify();
                }
            }
            return freed;
        } finally {
            rwsem.readLock().unlock();
            sm.wake(depth);
            ModuleCalls.released(calls, RWSEM); // wakes an unregistration waiting for the calls in flight
        }
    }
}
