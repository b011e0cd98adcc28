package org.mmlab.mm.internal;

/**
 * Models include/linux/list.h and lib/list_debug.c over the memmap's lru links: intrusive,
 * circular, doubly linked lists whose nodes are PFNs (or list heads after the last PFN).
 * list_del() poisons the links as the kernel does; with CONFIG_DEBUG_LIST every add and delete
 * is validated first and a corrupt one is reported and skipped, as CHECK_DATA_CORRUPTION does.
 * Without it, following a poisoned link faults like a dereference of LIST_POISON1.
 */
public final class PageLists {
    /** LIST_POISON1/2 (0xdead000000000100/122), as ids no node can have. */
    static final int LIST_POISON1 = Integer.MIN_VALUE + 0x100;
    static final int LIST_POISON2 = Integer.MIN_VALUE + 0x122;
    static final int LIST_POISON_MIN = Integer.MIN_VALUE + 0x1000;

    private final MemMap map;
    private final MmDebug debug;

    PageLists(MemMap map, MmDebug debug) {
        this.map = map;
        this.debug = debug;
    }

    String addr(int id) {
        return map.lruAddress(id);
    }

    boolean isEmpty(int head) {
        return map.next[head] == head;
    }

    int first(int head) {
        return map.next[head];
    }

    int last(int head) {
        return map.prev[head];
    }

    int next(int id) {
        return map.next[id];
    }

    /** list_add(): insert after head (at the front). */
    boolean add(int node, int head) {
        return insert(node, head, map.next[head]);
    }

    /** list_add_tail(): insert before head (at the back). */
    boolean addTail(int node, int head) {
        return insert(node, map.prev[head], head);
    }

    /** list_del(): unlink and poison. */
    boolean del(int node) {
        if (!unlink(node)) {
            return false;
        }
        map.next[node] = LIST_POISON1;
        map.prev[node] = LIST_POISON2;
        return true;
    }

    /** list_move(): to the front of another (or the same) list. */
    boolean move(int node, int head) {
        return unlink(node) && insert(node, head, map.next[head]);
    }

    /** list_move_tail(). */
    boolean moveTail(int node, int head) {
        return unlink(node) && insert(node, map.prev[head], head);
    }

    private boolean insert(int node, int prev, int next) {
        if (debug.debugList() && !addValid(node, prev, next)) {
            return false;
        }
        try {
            map.prev[next] = node;
            map.next[node] = next;
            map.prev[node] = prev;
            map.next[prev] = node;
            return true;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw debug.generalProtectionFault(next < 0 ? next : prev, "list_add");
        }
    }

    private boolean unlink(int node) {
        int next = map.next[node];
        int prev = map.prev[node];
        if (debug.debugList() && !delValid(node, prev, next)) {
            return false;
        }
        try {
            map.prev[next] = prev;
            map.next[prev] = next;
            return true;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw debug.generalProtectionFault(next < 0 ? next : prev, "list_del");
        }
    }

    /** __list_add_valid_or_report(). */
    private boolean addValid(int node, int prev, int next) {
        if (next < 0 || map.prev[next] != prev) {
            return debug.listCorruption(String.format(
                    "list_add corruption. next->prev should be prev (%s), but was %s. (next=%s).",
                    addr(prev), next < 0 ? addr(next) : addr(map.prev[next]), addr(next)));
        }
        if (prev < 0 || map.next[prev] != next) {
            return debug.listCorruption(String.format(
                    "list_add corruption. prev->next should be next (%s), but was %s. (prev=%s).",
                    addr(next), prev < 0 ? addr(prev) : addr(map.next[prev]), addr(prev)));
        }
        if (node == prev || node == next) {
            return debug.listCorruption(String.format("list_add double add: new=%s, prev=%s, next=%s.",
                    addr(node), addr(prev), addr(next)));
        }
        return true;
    }

    /** __list_del_entry_valid_or_report(). */
    private boolean delValid(int node, int prev, int next) {
        if (next == LIST_POISON1) {
            return debug.listCorruption(String.format("list_del corruption, %s->next is LIST_POISON1 (%s)",
                    addr(node), addr(LIST_POISON1)));
        }
        if (prev == LIST_POISON2) {
            return debug.listCorruption(String.format("list_del corruption, %s->prev is LIST_POISON2 (%s)",
                    addr(node), addr(LIST_POISON2)));
        }
        if (prev < 0 || map.next[prev] != node) {
            return debug.listCorruption(String.format(
                    "list_del corruption. prev->next should be %s, but was %s. (prev=%s)",
                    addr(node), prev < 0 ? addr(prev) : addr(map.next[prev]), addr(prev)));
        }
        if (next < 0 || map.prev[next] != node) {
            return debug.listCorruption(String.format(
                    "list_del corruption. next->prev should be %s, but was %s. (next=%s)",
                    addr(node), next < 0 ? addr(next) : addr(map.prev[next]), addr(next)));
        }
        return true;
    }
}
