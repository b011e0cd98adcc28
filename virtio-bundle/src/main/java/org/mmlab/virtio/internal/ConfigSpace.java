package org.mmlab.virtio.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Models struct virtio_balloon_config as the device exposes it: 16 bytes, every field a little-endian
 * u32 (num_pages, actual, free_page_hint_cmd_id, poison_val), read and written by offset the way
 * virtio_cread_le()/virtio_cwrite_le() do. Either side may access it from any thread.
 */
final class ConfigSpace {
    private final ByteBuffer bytes = ByteBuffer.allocate(Uapi.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    /** virtio_cread_le(): the unsigned 32-bit field at offset, as a long. */
    synchronized long readLe32(int offset) {
        check(offset);
        return Integer.toUnsignedLong(bytes.getInt(offset));
    }

    /** virtio_cwrite_le(): stores the low 32 bits of value. */
    synchronized void writeLe32(int offset, long value) {
        check(offset);
        if (value < 0 || value > 0xffff_ffffL) {
            throw new IllegalArgumentException("config value " + value + " does not fit a __le32");
        }
        bytes.putInt(offset, (int) value);
    }

    /** The raw bytes, as a dump of the config space shows them. */
    synchronized byte[] raw() {
        byte[] b = new byte[Uapi.CONFIG_SIZE];
        bytes.get(0, b);
        return b;
    }

    private static void check(int offset) {
        if (offset < 0 || offset > Uapi.CONFIG_SIZE - 4 || (offset & 3) != 0) {
            throw new IllegalArgumentException("no __le32 field at config offset " + offset);
        }
    }
}
