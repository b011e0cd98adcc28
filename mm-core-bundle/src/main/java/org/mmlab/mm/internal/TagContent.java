package org.mmlab.mm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Page content as one 64-bit tag per PFN. */
final class TagContent implements PageContent {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** What a discarded page reads as: the host gave back a zeroed page. */
    static final long DISCARDED = 0;

    private final long[] tags;

    TagContent(int nrPages) {
        tags = new long[nrPages];
    }

    @Override
    public long read(int pfn) {
        return (long) LONGS.getOpaque(tags, pfn);
    }

    @Override
    public void write(int pfn, long tag) {
        LONGS.setOpaque(tags, pfn, tag);
    }

    @Override
    public void copy(int dstPfn, int srcPfn) {
        LONGS.setOpaque(tags, dstPfn, (long) LONGS.getOpaque(tags, srcPfn));
    }

    @Override
    public void render(int pfn, java.nio.ByteBuffer dst) {
        long tag = read(pfn);
        if (tag == DISCARDED) {
            int at = dst.position();
            for (int i = 0; i < org.mmlab.mm.Mm.PAGE_SIZE; i += Long.BYTES) {
                dst.putLong(at + i, 0);
            }
            dst.position(at + org.mmlab.mm.Mm.PAGE_SIZE);
        } else {
            FrameContent.fill(dst, tag);
        }
    }

    @Override
    public void discard(int pfn) {
        LONGS.setOpaque(tags, pfn, DISCARDED);
    }

    @Override
    public long offHeapBytes() {
        return 0;
    }

    @Override
    public int heapBytesPerPage() {
        return Long.BYTES;
    }

    @Override
    public String name() {
        return "tag";
    }
}
