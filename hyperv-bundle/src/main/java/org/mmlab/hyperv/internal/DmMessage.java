package org.mmlab.hyperv.internal;

/**
 * The dynamic-memory messages host and guest exchange over the VMBus channel (hv_balloon.c v6.18.2's struct
 * dm_*), as records: only the fields the lab's host and driver read.
 */
sealed interface DmMessage {
    /** The message's type, DM_*. */
    int type();

    /** struct dm_version_request: the guest offers a protocol version. */
    record VersionRequest(int version) implements DmMessage {
        public int type() {
            return DmProtocol.DM_VERSION_REQUEST;
        }
    }

    /** struct dm_version_response. */
    record VersionResponse(boolean accepted) implements DmMessage {
        public int type() {
            return DmProtocol.DM_VERSION_RESPONSE;
        }
    }

    /** struct dm_status: memory pressure, every second (here: after each operation). */
    record Status(long numAvail, long numCommitted) implements DmMessage {
        public int type() {
            return DmProtocol.DM_STATUS_REPORT;
        }
    }

    /** struct dm_balloon: the host asks for pages. */
    record BalloonRequest(int numPages) implements DmMessage {
        public int type() {
            return DmProtocol.DM_BALLOON_REQUEST;
        }
    }

    /** struct dm_balloon_response: the pages the guest gave, in ranges; more_pages until the last. */
    record BalloonResponse(long[] ranges, boolean morePages) implements DmMessage {
        public int type() {
            return DmProtocol.DM_BALLOON_RESPONSE;
        }
    }

    /** struct dm_unballoon_request: the host gives these ranges back. */
    record UnballoonRequest(long[] ranges, boolean morePages) implements DmMessage {
        public int type() {
            return DmProtocol.DM_UNBALLOON_REQUEST;
        }
    }

    /** struct dm_unballoon_response. */
    record UnballoonResponse() implements DmMessage {
        public int type() {
            return DmProtocol.DM_UNBALLOON_RESPONSE;
        }
    }

    /** struct dm_hot_add: pages the host adds to the guest's memory. */
    record HotAddRequest(long range) implements DmMessage {
        public int type() {
            return DmProtocol.DM_MEM_HOT_ADD_REQUEST;
        }
    }

    /** struct dm_hot_add_response: pages added; result 1 unless none could be (a transient failure). */
    record HotAddResponse(long pageCount, int result) implements DmMessage {
        public int type() {
            return DmProtocol.DM_MEM_HOT_ADD_RESPONSE;
        }
    }
}
