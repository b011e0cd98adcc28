package org.mmlab.mm.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Models kernel/locking/lockdep.c (CONFIG_PROVE_LOCKING): lock classes by name, each task's stack
 * of held locks, and the dependencies "held A while blocking on B" seen so far, with a report when
 * a new one closes a cycle ("possible circular locking dependency") or a task releases a lock it
 * does not hold ("bad unlock balance"). Rules:
 * (i) a blocking acquire of B records A -> B for the top held lock A, and for the ones below it
 * while those above were trylocks (check_prevs_add()); a trylock is held but records nothing, as it
 * cannot block; (ii) a dependency that would close a cycle is reported once per pair and not
 * recorded, and the task goes on; (iii) held locks are per task: a release by another task is a bad
 * unlock balance, reported once per class; (iv) nesting within one class (two zones' locks) records
 * nothing (lockdep would need a subclass annotation). Off by default; when off, callers pay one read
 * of {@link #on}.
 */
public final class Lockdep {
    /** debug_locks && prove_locking: read plainly on the hot paths, before every annotation. */
    boolean on;
    private final MmDebug debug;
    private final Map<String, LockClass> classes = new ConcurrentHashMap<>();
    private final AtomicInteger nextClassId = new AtomicInteger(1);
    /** The dependency graph (lock_list entries), keyed by from.id << 32 | to.id; added to under graphLock. */
    private final Map<Long, Dependency> dependencies = new ConcurrentHashMap<>();
    private final Object graphLock = new Object();
    private final Set<Long> reportedCycles = new HashSet<>();
    private final Set<LockClass> reportedUnlocks = new HashSet<>();
    private final ThreadLocal<HeldLocks> held = ThreadLocal.withInitial(HeldLocks::new);
    /** Bumped at each switch on: held stacks from before are forgotten. */
    private volatile int epoch;
    /** Threads with a smaller id existed when the checker went on and may hold locks it never saw. */
    private volatile long firstTrackedThread;

    Lockdep(MmDebug debug, boolean on) {
        this.debug = debug;
        this.on = on;
    }

    /** struct lock_class: one per name; its edges to the classes taken after it. */
    static final class LockClass {
        final int id;
        final String name;
        final List<Dependency> after = new ArrayList<>();

        LockClass(int id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    /** struct lock_list: "from was held when to was acquired", with the stack that first showed it. */
    record Dependency(LockClass from, LockClass to, String trace) {
    }

    /** current->held_locks[] and lockdep_depth: the class, where it was taken, and whether by trylock. */
    private static final class HeldLocks {
        LockClass[] classes = new LockClass[8];
        String[] at = new String[8];
        boolean[] trylock = new boolean[8];
        int depth;
        int epoch = -1;
        boolean untracked;
    }

    public boolean on() {
        return on;
    }

    /** Switches the checker; on again, tasks that existed meanwhile may release locks taken while it was off. */
    public void setOn(boolean value) {
        if (value && !on) {
            firstTrackedThread = new Thread(() -> { }).getId(); // thread ids only grow: later tasks are fully seen
            epoch++;
        }
        on = value;
    }

    /** The class of this name (lockdep_register_key() for a static key): created at first use. */
    LockClass lockClass(String name) {
        return classes.computeIfAbsent(name, n -> new LockClass(nextClassId.getAndIncrement(), n));
    }

    /** lock_acquire(): called before a blocking acquire, after a successful trylock. */
    void acquire(String name, boolean trylock) {
        acquire(lockClass(name), trylock);
    }

    void acquire(LockClass next, boolean trylock) {
        HeldLocks h = current();
        String at = LockdepReport.caller();
        if (!trylock) {
            for (int i = h.depth - 1; i >= 0; i--) {
                if (h.classes[i] != next) {
                    addDependency(h, i, next, at);
                }
                if (!h.trylock[i]) {
                    break;
                }
            }
        }
        push(h, next, at, trylock);
    }

    /** lock_release(): the topmost held lock of this class goes; none held is a bad unlock balance. */
    void release(String name) {
        release(lockClass(name));
    }

    void release(LockClass c) {
        HeldLocks h = current();
        for (int i = h.depth - 1; i >= 0; i--) {
            if (h.classes[i] == c) {
                int n = h.depth - i - 1;
                System.arraycopy(h.classes, i + 1, h.classes, i, n);
                System.arraycopy(h.at, i + 1, h.at, i, n);
                System.arraycopy(h.trylock, i + 1, h.trylock, i, n);
                h.classes[--h.depth] = null;
                h.at[h.depth] = null;
                return;
            }
        }
        if (h.untracked) {
            return; // taken before the checker went on: lockdep never saw its acquire
        }
        synchronized (graphLock) {
            if (!reportedUnlocks.add(c)) {
                return;
            }
        }
        debug.lockdepReport(LockdepReport.badUnlock(debug, c.name, LockdepReport.caller(), heldList(h)));
    }

    /** The classes this task holds now, innermost last (lockdep_print_held_locks()). */
    List<String> heldClasses() {
        HeldLocks h = current();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < h.depth; i++) {
            out.add(h.classes[i].name);
        }
        return out;
    }

    /** The recorded dependencies as "A -> B", as /proc/lockdep lists each class's "->" lines. */
    public List<String> dependencies() {
        synchronized (graphLock) {
            List<String> out = new ArrayList<>();
            for (Dependency d : dependencies.values()) {
                out.add(d.from().name + " -> " + d.to().name);
            }
            out.sort(null);
            return out;
        }
    }

    private HeldLocks current() {
        HeldLocks h = held.get();
        if (h.epoch != epoch) {
            h.epoch = epoch;
            h.depth = 0;
            h.untracked = Thread.currentThread().getId() < firstTrackedThread;
        }
        return h;
    }

    private static void push(HeldLocks h, LockClass c, String at, boolean trylock) {
        if (h.depth == h.classes.length) {
            h.classes = Arrays.copyOf(h.classes, h.depth * 2);
            h.at = Arrays.copyOf(h.at, h.depth * 2);
            h.trylock = Arrays.copyOf(h.trylock, h.depth * 2);
        }
        h.classes[h.depth] = c;
        h.at[h.depth] = at;
        h.trylock[h.depth++] = trylock;
    }

    /** check_prev_add(): record prev -> next unless it is known, or report the cycle it would close. */
    private void addDependency(HeldLocks h, int prevIndex, LockClass next, String at) {
        LockClass prev = h.classes[prevIndex];
        long key = (long) prev.id << 32 | next.id;
        if (dependencies.containsKey(key)) {
            return;
        }
        List<Dependency> path;
        synchronized (graphLock) {
            if (dependencies.containsKey(key)) {
                return;
            }
            path = pathBetween(next, prev);
            if (path == null) {
                Dependency d = new Dependency(prev, next, MmDebug.javaTrace());
                prev.after.add(d);
                dependencies.put(key, d);
                return;
            }
            if (!reportedCycles.add(key)) {
                return;
            }
        }
        debug.lockdepReport(LockdepReport.circular(debug, next.name, at, prev.name, h.at[prevIndex], path,
                MmDebug.javaTrace(), heldList(h)));
    }

    /** check_noncircular(): a breadth-first search for the shortest recorded path from -> ... -> to. */
    private static List<Dependency> pathBetween(LockClass from, LockClass to) {
        Map<LockClass, Dependency> reachedBy = new HashMap<>();
        ArrayDeque<LockClass> queue = new ArrayDeque<>();
        queue.add(from);
        reachedBy.put(from, null);
        while (!queue.isEmpty()) {
            LockClass c = queue.poll();
            if (c == to) {
                List<Dependency> path = new ArrayList<>();
                for (Dependency d = reachedBy.get(c); d != null; d = reachedBy.get(d.from())) {
                    path.add(0, d);
                }
                return path;
            }
            for (Dependency d : c.after) {
                if (!reachedBy.containsKey(d.to())) {
                    reachedBy.put(d.to(), d);
                    queue.add(d.to());
                }
            }
        }
        return null;
    }

    private static List<String> heldList(HeldLocks h) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < h.depth; i++) {
            out.add("(" + h.classes[i].name + "), at: " + h.at[i]);
        }
        return out;
    }
}
