package org.mmlab.mm.internal;

import java.util.concurrent.locks.ReentrantLock;

import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;

/**
 * Models mm/oom_kill.c for the workload's processes: out_of_memory() picks the task with the
 * highest oom_badness() (rss plus page tables; every oom_score_adj is 0), prints the kernel's
 * report, kills it, and the oom_reaper frees its memory at once when it can.
 *
 * <p>Lock rules:
 * <ol>
 * <li>oom_lock is only try-locked: a task that runs out of memory while another is killing reports
 *     progress and retries, as __alloc_pages_may_oom() does when mutex_trylock(&amp;oom_lock) fails.</li>
 * <li>The victim's ptl is only try-locked, as the oom_reaper try-locks mmap_lock: whoever called
 *     alloc_pages() may hold any ptl (the workload never does, but drivers and tests may call in from
 *     anywhere). A busy victim stays marked and whoever takes its ptl next reaps it: its owner
 *     worker at its next operation, or the next out_of_memory().</li>
 * <li>While a marked victim still holds memory, nobody else is killed (oom_evaluate_task() aborts
 *     on a victim that is not MMF_OOM_SKIP yet).</li>
 * </ol>
 */
final class OomKill implements PageAllocSlowpath.OomKiller {
    /** dump_tasks() prints every task; the simulation stops after this many to keep dmesg readable. */
    static final int MAX_DUMPED_TASKS = 64;

    /** oom_lock. */
    private final ReentrantLock oomLock = new ReentrantLock();
    private final Workload workload;

    OomKill(Workload workload) {
        this.workload = workload;
    }

    @Override
    public long oomKill(int order, int gfp) {
        Workload.Run run = workload.currentRun();
        if (run == null) {
            return 0;
        }
        if (!oomLock.tryLock()) {
            Thread.yield(); // schedule_timeout_uninterruptible(1): the other task's kill will free memory
            return 1;
        }
        try {
            return outOfMemory(run, order, gfp);
        } finally {
            oomLock.unlock();
        }
    }

    /** out_of_memory() with oom_lock held. */
    private long outOfMemory(Workload.Run run, int order, int gfp) {
        // a victim whose memory is not reaped yet: reap it now rather than kill another task
        long freed = 0;
        boolean pending = false;
        for (int i = 0; i < run.slots.length(); i++) {
            WorkloadProcess p = run.slots.get(i);
            if (p != null && p.oomVictim() && !p.exited()) {
                long f = reap(p);
                if (f < 0) {
                    pending = true;
                } else {
                    freed += f;
                }
            }
        }
        if (freed > 0) {
            return freed;
        }
        if (pending) {
            return 1;
        }
        WorkloadProcess victim = selectBadProcess(run);
        GuestMemory g = workload.guest;
        if (victim == null) {
            // the kernel panics here ("System is deadlocked on memory"); the simulation lets the allocation fail
            g.dmesg.printk("Out of memory and no killable processes...");
            return 0;
        }
        dumpHeader(run, victim, order, gfp);
        g.dmesg.printk(String.format("Out of memory: Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, file-rss:0kB,"
                + " shmem-rss:0kB, UID:0 pgtables:%dkB oom_score_adj:0", victim.pid, victim.comm, k(victim.nrVpages),
                k(victim.rss()), k(victim.nrPtePages())));
        victim.markOomVictim();
        run.stats.oomKills.increment();
        g.vmstat.inc(VmItem.OOM_KILL);
        long f = reap(victim);
        return f > 0 ? f : 1;
    }

    /** oom_reap_task(): the victim's memory back to the allocator, unless its ptl is busy (-1). */
    private long reap(WorkloadProcess p) {
        long freed = p.tryReap();
        if (freed >= 0) {
            workload.guest.dmesg.printk(String.format("oom_reaper: reaped process %d (%s), now anon-rss:0kB,"
                    + " file-rss:0kB, shmem-rss:0kB", p.pid, p.comm));
        }
        return freed;
    }

    /** select_bad_process(): the highest oom_badness(); a task with nothing to free is not worth killing. */
    private static WorkloadProcess selectBadProcess(Workload.Run run) {
        WorkloadProcess chosen = null;
        long chosenPoints = 0;
        for (int i = 0; i < run.slots.length(); i++) {
            WorkloadProcess p = run.slots.get(i);
            if (p == null) {
                continue;
            }
            long points = p.badness();
            if (points > chosenPoints) {
                chosen = p;
                chosenPoints = points;
            }
        }
        return chosen;
    }

    /** dump_header(): who invoked the OOM killer, the free areas, the tasks, and the one-line summary. */
    private void dumpHeader(Workload.Run run, WorkloadProcess victim, int order, int gfp) {
        GuestMemory g = workload.guest;
        // current: the faulting process, or the thread that called alloc_pages()
        WorkloadProcess cur = WorkloadWorker.current();
        String comm = cur != null ? cur.comm : MmDebug.comm();
        long pid = cur != null ? cur.pid : Thread.currentThread().getId();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=0%n", comm, gfp,
                Gfp.format(gfp), order));
        String taints = g.debug.taints();
        sb.append(String.format("CPU: 0 UID: 0 PID: %d Comm: %s %s%n", pid, comm,
                taints.isEmpty() ? "Not tainted" : "Tainted: " + taints));
        sb.append(MmDebug.javaTrace());
        sb.append("Mem-Info:");
        for (Zone z : g.zones) {
            sb.append('\n').append(g.alloc.showFreeArea(z));
        }
        sb.append("\nTasks state (memory values in pages):");
        sb.append("\n[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents"
                + " oom_score_adj name");
        int dumped = 0;
        int more = 0;
        for (int i = 0; i < run.slots.length(); i++) {
            WorkloadProcess p = run.slots.get(i);
            if (p == null || p.exited()) {
                continue;
            }
            if (dumped++ >= MAX_DUMPED_TASKS) {
                more++;
                continue;
            }
            sb.append(String.format("%n[%7d] %5d %5d %8d %8d %8d %8d %9d %8d %8d         %5d %s", p.pid, 0, p.pid,
                    p.nrVpages, p.rss(), p.rss(), 0, 0, (long) p.nrPtePages() * Mm.PAGE_SIZE, 0, 0, p.comm));
        }
        if (more > 0) {
            sb.append(String.format("%n(%d more tasks not shown)", more));
        }
        sb.append(String.format("%noom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
                + "task_memcg=/,task=%s,pid=%d,uid=0", victim.comm, victim.pid));
        g.dmesg.printk(sb.toString());
    }

    /** K(x): pages to kB. */
    private static long k(long pages) {
        return pages << (Mm.PAGE_SHIFT - 10);
    }
}
