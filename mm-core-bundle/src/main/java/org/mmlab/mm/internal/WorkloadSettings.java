package org.mmlab.mm.internal;

import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.mm.Sizes;

/**
 * What a workload run is asked to do (the user-space side of the guest, no kernel counterpart):
 * checked before anything starts, so a bad value is refused with what is allowed.
 *
 * @param seed            seeds worker i's java.util.Random (worker 0 and step() share one stream)
 * @param processes       process slots; a process that exits or is OOM-killed is replaced by a new one
 * @param pagesPerProcess each process's address space (total_vm) in 4 KiB pages
 * @param threads         worker threads ("CPUs"); 1 for a prepared, stepped workload
 * @param maxOps          operations to run in all before the workers stop by themselves; 0 = until stop()
 */
public record WorkloadSettings(long seed, int processes, int pagesPerProcess, int threads, long maxOps) {
    /** The working set may use at most 90% of managed memory: the rest is page tables, slab and watermarks. */
    public static final int MAX_WORKING_SET_PERCENT = 90;

    /** processes x pagesPerProcess: what the processes would map if each grew to its whole address space. */
    public long workingSet() {
        return (long) processes * pagesPerProcess;
    }

    /**
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    void validate(long managedPages) {
        validateShape();
        long limit = managedPages * MAX_WORKING_SET_PERCENT / 100;
        if (workingSet() > limit) {
            throw new IllegalArgumentException(String.format("working set %d processes x %d pages = %d pages (%s) is"
                    + " more than %d%% of the guest's %d managed pages: at most %d pages (%s), e.g. %d pages per"
                    + " process with %d processes", processes, pagesPerProcess, workingSet(), Sizes.format(workingSet()),
                    MAX_WORKING_SET_PERCENT, managedPages, limit, Sizes.format(limit), Math.max(1, limit / processes),
                    processes));
        }
    }

    /**
     * The ranges alone, without the working-set limit: mm:workload fragment sizes the address spaces
     * past free memory on purpose and stops faulting by itself before the watermarks.
     *
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    void validateShape() {
        if (processes < 1 || processes > WorkloadControl.MAX_PROCESSES) {
            throw new IllegalArgumentException("processes=" + processes + ": must be 1.." + WorkloadControl.MAX_PROCESSES);
        }
        if (pagesPerProcess < 1 || pagesPerProcess > WorkloadControl.MAX_PAGES_PER_PROCESS) {
            throw new IllegalArgumentException("pagesPerProcess=" + pagesPerProcess + ": must be 1.."
                    + WorkloadControl.MAX_PAGES_PER_PROCESS + " (2^24 pages, 64 GiB)");
        }
        if (threads < 1 || threads > WorkloadControl.MAX_THREADS) {
            throw new IllegalArgumentException("threads=" + threads + ": must be 1.." + WorkloadControl.MAX_THREADS);
        }
        if (maxOps < 0) {
            throw new IllegalArgumentException("maxOps=" + maxOps + ": must be 0 (run until stopped) or more");
        }
    }
}
