package org.mmlab.mm.lab;

import java.util.List;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The race lab's controls over the simulated kernel, apart from what a driver needs from it
 * ({@link org.mmlab.mm.MemoryManager}): the module-protection policy, injection points, the
 * use-after-unload checker's wrapper around calls into driver code, and the dmesg ring read back. A
 * kernel has none of these; drivers of the lab call {@link #injectionPoint} and {@link #callIntoModule}
 * so that schedules and checkers see them.
 */
@ProviderType
public interface MmLab extends ModuleCaller {
    /** The protection policy of this run. */
    ModulePolicy modulePolicy();

    /** Chooses the protection policy (lab:policy); it applies to calls and unloads from now on. */
    void setModulePolicy(ModulePolicy policy);

    /** An injection point (see {@link InjectionPoints}): drivers name theirs "driver.point", e.g. "virtio.fill". */
    void injectionPoint(String point, int pfn);

    /**
     * msleep() (kernel/time/timer.c): sleeps ms milliseconds (an interrupt ends it, and is kept). On a thread
     * of a controlled run it is the injection point {@link InjectionPoints#MSLEEP} instead, where the sleeper
     * yields and the others go on: a schedule then depends on its seed, not on the machine's speed. Drivers
     * sleep through it on the paths a race runs.
     */
    void msleep(long ms);

    /**
     * A wait for work outside the lab's schedules (the host's acknowledgement, a driver's own worker thread):
     * returns what wait returns. A thread of a controlled run waits holding the baton
     * ({@link InjectionPoints#awaitOutside}): how long that work takes on this machine decides nothing.
     */
    <T> T awaitOutside(Supplier<T> wait);

    /**
     * A wait for a work item that worker, a thread outside the lab's schedules, runs (cancel_work_sync() waiting
     * for a running work): returns what wait returns. A thread of a controlled run keeps the baton while the worker
     * can finish, and gives it up once the worker waits for a lock a thread stopped at a point holds
     * ({@link InjectionPoints#awaitWorker}).
     *
     * @since 2.11
     */
    <T> T awaitWorker(Thread worker, Supplier<T> wait);

    /**
     * A call from kernel code into the code of {@code callee} (its class's bundle is the module): with
     * the use-after-unload checker on, a module that is gone at entry or at return is reported (KASAN
     * style, with both stacks and the pages it strands). Use with try-with-resources. Code of no bundle
     * (plain unit tests) is built in: never checked.
     */
    @Override
    ModuleCall callIntoModule(Object callee, String call, int pfn);

    /** How many lines printk() has written since boot: a mark for {@link #dmesgSince}. */
    long dmesgSeq();

    /** The lines written since the mark that the log ring still holds, oldest first. */
    List<String> dmesgSince(long seq);
}
