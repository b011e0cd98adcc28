package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.BitSet;

/**
 * One bit per PFN, set and cleared atomically (set_bit()/clear_bit() on an unsigned long bitmap), so
 * that tasks under different zone locks can change bits of one word. The lab's records of pages in
 * flight (isolated for migration, taken off the free lists for hinting), which mm:check reads.
 */
final class AtomicBitmap {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;

    AtomicBitmap(int nrBits) {
        words = new long[(nrBits + 63) >>> 6];
    }

    void set(int bit) {
        LONGS.getAndBitwiseOr(words, bit >>> 6, 1L << bit);
    }

    /** Clears the bit; returns whether it was set. */
    boolean clear(int bit) {
        return ((long) LONGS.getAndBitwiseAnd(words, bit >>> 6, ~(1L << bit)) & (1L << bit)) != 0;
    }

    boolean test(int bit) {
        return ((long) LONGS.getVolatile(words, bit >>> 6) & (1L << bit)) != 0;
    }

    /** A copy, for mm:check with the machine stopped. */
    BitSet snapshot() {
        long[] copy = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            copy[i] = (long) LONGS.getVolatile(words, i);
        }
        return BitSet.valueOf(copy);
    }
}
