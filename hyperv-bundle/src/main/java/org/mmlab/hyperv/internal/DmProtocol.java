package org.mmlab.hyperv.internal;

/**
 * The dynamic-memory protocol's numbers (drivers/hv/hv_balloon.c, v6.18.2): message types, versions, the
 * page range of a message (union dm_mem_page_range: a 40-bit start PFN and a 24-bit count) and the sizes
 * that bound a message to one HV_HYP_PAGE.
 */
final class DmProtocol {
    static final int DM_VERSION_REQUEST = 1;
    static final int DM_VERSION_RESPONSE = 2;
    static final int DM_CAPABILITIES_REPORT = 3;
    static final int DM_CAPABILITIES_RESPONSE = 4;
    static final int DM_STATUS_REPORT = 5;
    static final int DM_BALLOON_REQUEST = 6;
    static final int DM_BALLOON_RESPONSE = 7;
    static final int DM_UNBALLOON_REQUEST = 8;
    static final int DM_UNBALLOON_RESPONSE = 9;
    static final int DM_MEM_HOT_ADD_REQUEST = 10;
    static final int DM_MEM_HOT_ADD_RESPONSE = 11;

    /** DYNMEM_MAKE_VERSION(major, minor). */
    static int makeVersion(int major, int minor) {
        return major << 16 | minor;
    }

    static final int DYNMEM_PROTOCOL_VERSION_WIN7 = makeVersion(0, 3);
    static final int DYNMEM_PROTOCOL_VERSION_WIN8 = makeVersion(1, 0);
    static final int DYNMEM_PROTOCOL_VERSION_WIN10 = makeVersion(2, 0);

    static final int HV_HYP_PAGE_SIZE = 4096;
    /** sizeof(struct dm_balloon_response) without its ranges: dm_header, reservedz, more_pages and range_count. */
    static final int DM_BALLOON_RESPONSE_SIZE = 16;
    /** sizeof(union dm_mem_page_range). */
    static final int DM_RANGE_SIZE = 8;
    /** The ranges one balloon response carries: alloc_balloon_pages() stops before the message outgrows a page. */
    static final int MAX_RANGES = (HV_HYP_PAGE_SIZE - DM_BALLOON_RESPONSE_SIZE) / DM_RANGE_SIZE;
    /** PAGES_IN_2M: balloon_up() tries 2 MiB allocations first. */
    static final int PAGES_IN_2M = 512;
    /** ha_pages_in_chunk: memory_block_size_bytes() of x86_64 (128 MiB) in pages; hot-add adds whole blocks. */
    static final int HA_PAGES_IN_CHUNK = 32768;
    static final long START_PAGE_MASK = (1L << 40) - 1;
    static final int PAGE_CNT_MAX = (1 << 24) - 1;

    private DmProtocol() {
    }

    /** union dm_mem_page_range as one 64-bit word. */
    static long range(long startPfn, long count) {
        if (startPfn < 0 || startPfn > START_PAGE_MASK || count <= 0 || count > PAGE_CNT_MAX) {
            throw new IllegalArgumentException("a page range is a start PFN below 2^40 and 1 to 2^24-1 pages");
        }
        return count << 40 | startPfn;
    }

    static long startPage(long range) {
        return range & START_PAGE_MASK;
    }

    static int pageCnt(long range) {
        return (int) (range >>> 40);
    }

    /** "2.0 (WIN10)". */
    static String versionName(int version) {
        String era = version == DYNMEM_PROTOCOL_VERSION_WIN10 ? "WIN10" : version == DYNMEM_PROTOCOL_VERSION_WIN8
                ? "WIN8" : version == DYNMEM_PROTOCOL_VERSION_WIN7 ? "WIN7" : "?";
        return (version >>> 16) + "." + (version & 0xffff) + " (" + era + ")";
    }
}
