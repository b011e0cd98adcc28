package org.mmlab.lab.internal;

import java.util.List;

/**
 * What a storm did: the cycles it ran, what its last check found, the operations since the check
 * before (the failing stretch, when it failed), and the operations and module events it saw.
 *
 * @param cycles  cycles run
 * @param last    the last check
 * @param failing the cycles since the last clean check, when the last one was not clean; else empty
 * @param ops     operations done, by kind ("stop 40, uninstall 38, ...")
 * @param events  bundle events of the drivers' bundles the storm saw, by type
 * @param background what the background threads did
 */
record StormResult(int cycles, StormCheck last, List<List<StormOp>> failing, String ops, String events,
        String background) {
    StormResult {
        failing = List.copyOf(failing);
    }

    boolean clean() {
        return last.clean();
    }

    /** "storm: N cycles, P pages lost, M content mismatches, R reports". */
    String summary() {
        return String.format("storm: %d cycles, %d pages lost, %d content mismatches, %d reports", cycles,
                last.lost(), last.mismatches(), last.reports().size());
    }
}
