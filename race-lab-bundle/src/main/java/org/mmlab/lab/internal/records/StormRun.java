package org.mmlab.lab.internal.records;

import java.util.List;

/**
 * What a storm's run record says beyond a race's run (docs/race-lab.md, "Results a program can read"): the
 * counts of its last check, what mm:check found, what the storm did and the command that shrinks its failure.
 *
 * @param cycles     the cycles it ran (fewer than planned when a check failed: it stops there)
 * @param planned    the cycles --cycles asked for
 * @param lost       pages lost at its last check: no one holds them, a host holds them in guest use, or an
 *                   orphaned balloon device does
 * @param mismatches pages whose content is not what their process wrote, and guest accesses to host-held frames
 * @param problems   mm:check's problems at its last check, one a line
 * @param operations operations done, by kind ("stop 40, uninstall 38, ...")
 * @param events     the driver bundles' events, by type
 * @param background what the background threads did (compactions, target moves, runs out of memory, kicks)
 * @param shrink     the command that shrinks the failing cycles, or null when clean
 */
public record StormRun(int cycles, int planned, long lost, long mismatches, List<String> problems, String operations,
        String events, String background, String shrink) {}
