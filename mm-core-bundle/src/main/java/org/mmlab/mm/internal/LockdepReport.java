package org.mmlab.mm.internal;

import java.util.List;
import java.util.Set;

/**
 * The text of lockdep's splats as kernel/locking/lockdep.c prints them: print_circular_bug() with
 * print_circular_lock_scenario(), and print_unlock_imbalance_bug().
 */
final class LockdepReport {
    private static final Set<String> ANNOTATIONS = Set.of("lock", "unlock", "trylock", "tryLock",
            "lockInterruptibly", "lockdepAcquire", "lockdepRelease");
    private static final StackWalker WALKER = StackWalker.getInstance();

    private LockdepReport() {
    }

    /** The acquire_ip of a held_lock: the first mmlab frame outside the lock and its annotations. */
    static String caller() {
        return WALKER.walk(frames -> frames
                .filter(f -> f.getClassName().startsWith("org.mmlab.") && !isLockdepFrame(f.getClassName())
                        && !ANNOTATIONS.contains(f.getMethodName()))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "."
                        + f.getMethodName() + "+" + f.getLineNumber())
                .orElse("?"));
    }

    /** The checker's own frames, which its traces leave out. */
    static boolean isLockdepFrame(String className) {
        return className.equals(Lockdep.class.getName()) || className.equals(LockdepReport.class.getName())
                || className.equals(DepMapLock.class.getName());
    }

    private static String task() {
        return MmDebug.comm() + "/" + Thread.currentThread().getId();
    }

    /**
     * The task holds prev (taken at prevAt) and is about to block on next, which already reaches prev
     * through path (next -> ... -> prev).
     */
    static String circular(MmDebug debug, String next, String nextAt, String prev, String prevAt,
            List<Lockdep.Dependency> path, String trace, List<String> held) {
        StringBuilder sb = new StringBuilder();
        sb.append("======================================================\n");
        sb.append("WARNING: possible circular locking dependency detected\n");
        sb.append(debug.kernelIdent()).append('\n');
        sb.append("------------------------------------------------------\n");
        sb.append(task()).append(" is trying to acquire lock:\n");
        sb.append("(").append(next).append("), at: ").append(nextAt).append("\n\n");
        sb.append("but task is already holding lock:\n");
        sb.append("(").append(prev).append("), at: ").append(prevAt).append("\n\n");
        sb.append("which lock already depends on the new lock.\n\n\n");
        sb.append("the existing dependency chain (in reverse order) is:\n");
        for (int i = path.size() - 1; i >= 0; i--) {
            Lockdep.Dependency d = path.get(i);
            sb.append("\n-> #").append(i + 1).append(" (").append(d.to().name).append("):\n");
            appendIndented(sb, d.trace());
        }
        sb.append("\n-> #0 (").append(next).append("):\n");
        appendIndented(sb, trace);
        sb.append("\nother info that might help us debug this:\n\n");
        String parent = path.get(path.size() - 1).from().name;
        if (!parent.equals(next)) {
            sb.append("Chain exists of:\n  ").append(next).append(" --> ").append(parent).append(" --> ")
                    .append(prev).append("\n\n");
        }
        sb.append(" Possible unsafe locking scenario:\n\n");
        sb.append("       CPU0                    CPU1\n");
        sb.append("       ----                    ----\n");
        sb.append("  lock(").append(prev).append(");\n");
        sb.append("                               lock(").append(parent).append(");\n");
        sb.append("                               lock(").append(prev).append(");\n");
        sb.append("  lock(").append(next).append(");\n");
        sb.append("\n *** DEADLOCK ***\n\n");
        appendHeld(sb, held);
        sb.append("\nstack backtrace:\n").append(debug.cpuLine()).append('\n').append(trace);
        return sb.toString();
    }

    /** print_unlock_imbalance_bug(): the task releases a lock it does not hold. */
    static String badUnlock(MmDebug debug, String lock, String at, List<String> held) {
        StringBuilder sb = new StringBuilder();
        sb.append("=====================================\n");
        sb.append("WARNING: bad unlock balance detected!\n");
        sb.append(debug.kernelIdent()).append('\n');
        sb.append("-------------------------------------\n");
        sb.append(task()).append(" is trying to release lock (").append(lock).append(") at:\n");
        sb.append(at).append('\n');
        sb.append("but there are no more locks to release!\n\n");
        sb.append("other info that might help us debug this:\n");
        appendHeld(sb, held);
        sb.append("\nstack backtrace:\n").append(debug.cpuLine()).append('\n').append(MmDebug.javaTrace());
        return sb.toString();
    }

    private static void appendHeld(StringBuilder sb, List<String> held) {
        if (held.isEmpty()) {
            sb.append("no locks held by ").append(task()).append(".\n");
            return;
        }
        sb.append(held.size()).append(held.size() == 1 ? " lock" : " locks").append(" held by ").append(task())
                .append(":\n");
        for (int i = 0; i < held.size(); i++) {
            sb.append(" #").append(i).append(": ").append(held.get(i)).append('\n');
        }
    }

    private static void appendIndented(StringBuilder sb, String trace) {
        for (String line : trace.split("\n")) {
            if (!line.isBlank() && !line.equals("Call Trace:")) {
                sb.append("       ").append(line.strip()).append('\n');
            }
        }
    }
}
