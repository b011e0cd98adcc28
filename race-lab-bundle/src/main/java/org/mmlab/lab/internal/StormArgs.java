package org.mmlab.lab.internal;

/**
 * lab:storm's arguments as the user gave them, {@link #NOT_GIVEN} for an option not given (null is an
 * unset variable or the word null): {@link StormOptions} checks them all before anything runs.
 */
public record StormArgs(String cycles, String seed, String drivers, String ops, String contract, String policy,
        String leakPath, String checkEvery, String replay, String shrink, String repeat, String storms, String shard,
        String json) {
    /**
     * What lab:storm's options are when not given: text nobody types, so that an empty value ('') is
     * refused as a bad one rather than taken for a default.
     */
    public static final String NOT_GIVEN = "\u0000not given";

    static boolean given(String value) {
        return !NOT_GIVEN.equals(value);
    }
}
