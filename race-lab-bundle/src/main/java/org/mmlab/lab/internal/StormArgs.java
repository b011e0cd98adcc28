package org.mmlab.lab.internal;

/**
 * lab:storm's arguments as the user gave them ("" for one not given): {@link StormRuns} checks them all
 * before anything runs.
 */
public record StormArgs(String cycles, String seed, String drivers, String ops, String contract, String policy,
        String leakPath, String checkEvery, String replay, String shrink, String repeat) {
}
