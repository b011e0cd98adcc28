package org.mmlab.mm.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.mmlab.mm.Mm;

/**
 * Page content as real 4 KiB frames in direct buffers (off the Java heap), 256 MiB a chunk.
 * A write fills the whole frame from the tag; a read checks the first and last words agree,
 * so a torn copy or a discarded page reads as something no owner wrote.
 */
final class FrameContent implements PageContent {
    static final int CHUNK_SHIFT = 16; // 2^16 pages = 256 MiB per direct buffer
    private static final long SPREAD = 0x9E3779B97F4A7C15L;

    private final ByteBuffer[] chunks;
    private final long bytes;

    FrameContent(int nrPages) {
        int nChunks = (nrPages + (1 << CHUNK_SHIFT) - 1) >> CHUNK_SHIFT;
        chunks = new ByteBuffer[nChunks];
        long total = 0;
        for (int i = 0; i < nChunks; i++) {
            int pages = Math.min(1 << CHUNK_SHIFT, nrPages - (i << CHUNK_SHIFT));
            try {
                chunks[i] = ByteBuffer.allocateDirect(pages * Mm.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            } catch (OutOfMemoryError e) {
                throw new IllegalArgumentException("contentModel=frame: the JVM could not give " + (total >> 20)
                        + " MiB more off the heap (" + e.getMessage() + "); use a smaller memorySize or raise"
                        + " -XX:MaxDirectMemorySize", e);
            }
            total += (long) pages * Mm.PAGE_SIZE;
        }
        bytes = total;
    }

    private ByteBuffer chunk(int pfn) {
        return chunks[pfn >>> CHUNK_SHIFT];
    }

    private static int offset(int pfn) {
        return (pfn & ((1 << CHUNK_SHIFT) - 1)) * Mm.PAGE_SIZE;
    }

    @Override
    public long read(int pfn) {
        ByteBuffer c = chunk(pfn);
        int off = offset(pfn);
        long first = c.getLong(off);
        long last = c.getLong(off + Mm.PAGE_SIZE - Long.BYTES) ^ (SPREAD * (Mm.PAGE_SIZE / Long.BYTES - 1));
        return first == last ? first : ~first;
    }

    @Override
    public void write(int pfn, long tag) {
        fill(chunk(pfn).duplicate().order(ByteOrder.LITTLE_ENDIAN).position(offset(pfn)), tag);
    }

    /** A frame written with tag, at dst's position (advanced by a page). */
    static void fill(ByteBuffer dst, long tag) {
        int at = dst.position();
        for (int i = 0; i < Mm.PAGE_SIZE / Long.BYTES; i++) {
            dst.putLong(at + i * Long.BYTES, tag ^ (SPREAD * i));
        }
        dst.position(at + Mm.PAGE_SIZE);
    }

    @Override
    public void render(int pfn, ByteBuffer dst) {
        dst.put(chunk(pfn).slice(offset(pfn), Mm.PAGE_SIZE));
    }

    @Override
    public void copy(int dstPfn, int srcPfn) {
        chunk(dstPfn).put(offset(dstPfn), chunk(srcPfn), offset(srcPfn), Mm.PAGE_SIZE);
    }

    @Override
    public void discard(int pfn) {
        ByteBuffer c = chunk(pfn);
        int off = offset(pfn);
        for (int i = 0; i < Mm.PAGE_SIZE; i += Long.BYTES) {
            c.putLong(off + i, 0);
        }
    }

    @Override
    public long offHeapBytes() {
        return bytes;
    }

    @Override
    public int heapBytesPerPage() {
        return 0;
    }

    @Override
    public String name() {
        return "frame";
    }
}
