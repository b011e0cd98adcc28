package org.mmlab.mm.admin;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running guest's simulated user processes (the user-space side, no kernel file): they allocate,
 * touch and free user pages on worker threads, or leave memory fragmented as a long uptime does. A bad
 * value is refused (IllegalArgumentException), and a workload already set up refuses another
 * (IllegalStateException), changing nothing.
 */
@ProviderType
public interface WorkloadControl {
    int MAX_PROCESSES = 4096;
    /** 2^24 pages: 64 GiB an address space. */
    int MAX_PAGES_PER_PROCESS = 1 << 24;
    int MAX_THREADS = 16;
    /** Processes fragment() sets up unless told otherwise. */
    int DEFAULT_FRAGMENT_PROCESSES = 64;
    /** fragment()'s default target: fewer than 5% of the free pages in free blocks of order &gt;= 9. */
    double DEFAULT_TARGET_PERCENT = 5;

    /**
     * Starts the processes on worker threads ("workload-0", ...), until {@link #stop}.
     *
     * @param seed            seeds the random mix
     * @param processes       process slots, 1 to MAX_PROCESSES
     * @param pagesPerProcess each one's address space, 1 to MAX_PAGES_PER_PROCESS (the working set may
     *                        take at most 90% of managed memory)
     * @param threads         worker threads, 1 to MAX_THREADS
     */
    Status start(long seed, int processes, int pagesPerProcess, int threads);

    /**
     * Leaves memory fragmented as a long-running guest's is: many free pages, few free 2 MiB blocks. Runs
     * on the caller's thread with the machine stopped, deterministic for a seed; its processes stay,
     * prepared but not running, until {@link #stop}.
     *
     * @param targetPercent until fewer than this percentage of the free pages sit in free blocks of order
     *                      &gt;= 9 (more than 0, at most 100)
     */
    FragmentResult fragment(long seed, int processes, double targetPercent);

    /** Stops the processes and frees everything they hold. */
    Status stop();

    Status status();

    /**
     * The workload now.
     *
     * @param running     worker threads run
     * @param mappedPages pages its processes map
     * @param dataLoss    reads that did not find what the process wrote last
     * @param text        what mm:workload status prints
     */
    record Status(boolean running, long mappedPages, long dataLoss, String text) {
    }
}
