package org.mmlab.balloon.devices;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.MemoryManager;

/**
 * A simulated host's frames taken or given back in runs ({@link MemoryManager#hostDiscardFrames},
 * {@link MemoryManager#hostPopulateFrames}: one section of mm-core's table of held frames a run, not one a frame),
 * with the outcome of one call a frame: the frames before a refused one went through, and the refused one throws,
 * saying why (no kernel counterpart: the hypervisor's side of a balloon).
 */
public final class HostFrameRuns {

    /** Told of each run of frames that went through: pfns[from..to). */
    @FunctionalInterface
    public interface Done {
        void frames(int from, int to);
    }

    private HostFrameRuns() {
    }

    /**
     * {@link MemoryManager#hostDiscardFrame} of pfns[from..to) in turn, in runs; taken hears of each run the host
     * holds now. A frame mm-core refuses (another host holds it) throws IllegalStateException, after the frames
     * before it were taken.
     */
    public static void discard(MemoryManager mm, Hypervisor host, int[] pfns, int from, int to, Done taken) {
        int i = from;
        while (i < to) {
            int stop = mm.hostDiscardFrames(pfns, i, to, host);
            taken.frames(i, stop);
            if (stop == to) {
                return;
            }
            mm.hostDiscardFrame(pfns[stop], host); // says why it refused; taken if the other host let it go meanwhile
            taken.frames(stop, stop + 1);
            i = stop + 1;
        }
    }

    /**
     * {@link MemoryManager#hostPopulateFrame} of pfns[from..to) in turn, in runs; backed hears of each run the guest
     * has again. A frame no host holds throws IllegalStateException, after the frames before it were given back.
     */
    public static void populate(MemoryManager mm, int[] pfns, int from, int to, Done backed) {
        int i = from;
        while (i < to) {
            int stop = mm.hostPopulateFrames(pfns, i, to);
            backed.frames(i, stop);
            if (stop == to) {
                return;
            }
            mm.hostPopulateFrame(pfns[stop]); // says why it refused
            backed.frames(stop, stop + 1);
            i = stop + 1;
        }
    }
}
