package org.mmlab.virtio.internal;

import static org.mmlab.virtio.internal.Uapi.FEATURE_NAMES;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_FREE_PAGE_HINT;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_MUST_TELL_HOST;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_PAGE_POISON;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_REPORTING;
import static org.mmlab.virtio.internal.Uapi.VIRTIO_BALLOON_F_STATS_VQ;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mmlab.mm.MemoryManager;

/**
 * Models feature negotiation for virtio-balloon: the driver's feature table (virtballoon features[]),
 * virtio_finalize_features() (offered AND supported) and virtballoon_validate(). Features are bit masks.
 */
public final class Features {
    /** What this driver supports: features[] of virtio_balloon.c (all six, as the kernel's). */
    public static final long DRIVER_FEATURES = bit(VIRTIO_BALLOON_F_MUST_TELL_HOST) | bit(VIRTIO_BALLOON_F_STATS_VQ)
            | bit(VIRTIO_BALLOON_F_DEFLATE_ON_OOM) | bit(VIRTIO_BALLOON_F_FREE_PAGE_HINT)
            | bit(VIRTIO_BALLOON_F_PAGE_POISON) | bit(VIRTIO_BALLOON_F_REPORTING);
    /**
     * The default offer of a device's configuration: every feature but REPORTING, which QEMU offers only
     * with free-page-reporting=on and which one device at a time can use (page_reporting_register() is
     * -EBUSY for a second). The lab's default device 0 offers it ({@link #DEVICE0_OFFER}).
     */
    public static final String DEFAULT_OFFER = "MUST_TELL_HOST,STATS_VQ,DEFLATE_ON_OOM,FREE_PAGE_HINT,PAGE_POISON";
    /** Device 0's offer: every feature the model has, REPORTING too. */
    public static final String DEVICE0_OFFER = DEFAULT_OFFER + ",REPORTING";

    private Features() {
    }

    public static long bit(int feature) {
        return 1L << feature;
    }

    public static boolean has(long features, int feature) {
        return (features & bit(feature)) != 0;
    }

    /**
     * Parses "MUST_TELL_HOST,STATS_VQ" (case-insensitive, optional VIRTIO_BALLOON_F_ prefix; "" or
     * "none" is no feature) into a mask the host can offer.
     *
     * @throws IllegalArgumentException naming the bad name and the known ones
     */
    public static long parse(String text) {
        long mask = 0;
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || "none".equalsIgnoreCase(t)) {
            return 0;
        }
        for (String part : t.split("[,|\\s]+")) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            if (name.startsWith("VIRTIO_BALLOON_F_")) {
                name = name.substring("VIRTIO_BALLOON_F_".length());
            }
            int bit = FEATURE_NAMES.indexOf(name);
            if (bit < 0) {
                throw new IllegalArgumentException("'" + part + "' is not a virtio-balloon feature; known: "
                        + String.join(", ", FEATURE_NAMES));
            }
            mask |= bit(bit);
        }
        return mask;
    }

    /** The names of the bits set, in bit order. */
    public static List<String> names(long mask) {
        List<String> names = new ArrayList<>();
        for (int b = 0; b < FEATURE_NAMES.size(); b++) {
            if (has(mask, b)) {
                names.add(FEATURE_NAMES.get(b));
            }
        }
        return names;
    }

    /** virtio_finalize_features(): the device's offer AND what the driver knows, then virtballoon_validate(). */
    public static long negotiate(long offered, MemoryManager mm) {
        return virtballoonValidate(offered & DRIVER_FEATURES, mm);
    }

    /**
     * virtballoon_validate(): PAGE_POISON only if the guest poisons or zeroes freed pages; REPORTING
     * not while pages are poisoned with a value the host was not told (PAGE_POISON not negotiated).
     */
    public static long virtballoonValidate(long features, MemoryManager mm) {
        long f = features;
        if (!mm.wantInitOnFree() && !mm.pagePoisoningEnabled()) {
            f &= ~bit(VIRTIO_BALLOON_F_PAGE_POISON);
        } else if (!has(f, VIRTIO_BALLOON_F_PAGE_POISON)) {
            f &= ~bit(VIRTIO_BALLOON_F_REPORTING);
        }
        return f;
    }
}
