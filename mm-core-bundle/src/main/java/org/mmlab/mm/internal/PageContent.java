package org.mmlab.mm.internal;

/**
 * What a page holds. By default a 64-bit content tag per page stands for the data; optionally a
 * real 4 KiB frame off the Java heap, so migration copies and host discards cost what they do.
 */
public interface PageContent {
    /** The tag a read of the page sees; a torn or discarded frame reads as a value no writer wrote. */
    long read(int pfn);

    void write(int pfn, long tag);

    /** copy_highpage(): the whole page. */
    void copy(int dstPfn, int srcPfn);

    /**
     * The page's 4 KiB as memory holds them, at dst's position (advanced by a page), for a vmcore: the
     * frame itself, or the tag rendered as the frame model writes it (a tag of 0, never written or
     * discarded, as a zero-filled page).
     */
    void render(int pfn, java.nio.ByteBuffer dst);

    /** What the host does to a page it takes back: the content is gone. */
    void discard(int pfn);

    /** Off-heap bytes this model holds. */
    long offHeapBytes();

    /** Heap bytes this model holds per page. */
    int heapBytesPerPage();

    /** "tag" or "frame", as configured. */
    String name();
}
