package org.mmlab.mm.internal;

/** SKELETON (helper fills in): the simulated user processes. */
public final class Workload {
    private final GuestMemory guest;

    public Workload(GuestMemory guest) {
        this.guest = guest;
    }

    public void stop() {
    }
}
