package org.mmlab.mm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GFP flags with the kernel's bit values (include/linux/gfp_types.h, 6.x), so that
 * "mode:0x100cca(GFP_HIGHUSER_MOVABLE)" reads as it does in a real allocation-failure splat.
 */
public final class Gfp {
    public static final int __GFP_DMA = 0x01;
    public static final int __GFP_HIGHMEM = 0x02;
    public static final int __GFP_DMA32 = 0x04;
    /** Allocate from the movable free lists (and ZONE_MOVABLE). */
    public static final int __GFP_MOVABLE = 0x08;
    public static final int __GFP_RECLAIMABLE = 0x10;
    /** The caller is high priority: may dip below the min watermark (ALLOC_MIN_RESERVE). */
    public static final int __GFP_HIGH = 0x20;
    public static final int __GFP_IO = 0x40;
    public static final int __GFP_FS = 0x80;
    public static final int __GFP_ZERO = 0x100;
    public static final int __GFP_DIRECT_RECLAIM = 0x400;
    public static final int __GFP_KSWAPD_RECLAIM = 0x800;
    public static final int __GFP_WRITE = 0x1000;
    /** Do not print an allocation-failure report. */
    public static final int __GFP_NOWARN = 0x2000;
    public static final int __GFP_RETRY_MAYFAIL = 0x4000;
    public static final int __GFP_NOFAIL = 0x8000;
    /** Fail instead of retrying (and instead of invoking the OOM path). */
    public static final int __GFP_NORETRY = 0x10000;
    /** Allow access to all memory reserves (ALLOC_NO_WATERMARKS). */
    public static final int __GFP_MEMALLOC = 0x20000;
    /** Make a compound page (head + tails). */
    public static final int __GFP_COMP = 0x40000;
    /** Never use the emergency reserves, even when the caller could (overrides __GFP_MEMALLOC). */
    public static final int __GFP_NOMEMALLOC = 0x80000;
    public static final int __GFP_HARDWALL = 0x100000;

    public static final int __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
    public static final int GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
    public static final int GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN;
    public static final int GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
    public static final int GFP_USER = GFP_KERNEL | __GFP_HARDWALL;
    public static final int GFP_DMA32 = __GFP_DMA32;
    public static final int GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
    public static final int GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
    public static final int GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN)
            & ~__GFP_RECLAIM;
    public static final int GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

    /** Composite masks first, longest first, as %pGg prints them (mm/debug.c gfpflag_names). */
    private static final Map<String, Integer> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("GFP_TRANSHUGE", GFP_TRANSHUGE);
        NAMES.put("GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT);
        NAMES.put("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE);
        NAMES.put("GFP_HIGHUSER", GFP_HIGHUSER);
        NAMES.put("GFP_USER", GFP_USER);
        NAMES.put("GFP_KERNEL", GFP_KERNEL);
        NAMES.put("GFP_ATOMIC", GFP_ATOMIC);
        NAMES.put("GFP_NOWAIT", GFP_NOWAIT);
        NAMES.put("GFP_DMA32", GFP_DMA32);
        NAMES.put("__GFP_DMA", __GFP_DMA);
        NAMES.put("__GFP_HIGHMEM", __GFP_HIGHMEM);
        NAMES.put("__GFP_MOVABLE", __GFP_MOVABLE);
        NAMES.put("__GFP_RECLAIMABLE", __GFP_RECLAIMABLE);
        NAMES.put("__GFP_HIGH", __GFP_HIGH);
        NAMES.put("__GFP_IO", __GFP_IO);
        NAMES.put("__GFP_FS", __GFP_FS);
        NAMES.put("__GFP_ZERO", __GFP_ZERO);
        NAMES.put("__GFP_RECLAIM", __GFP_RECLAIM);
        NAMES.put("__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM);
        NAMES.put("__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM);
        NAMES.put("__GFP_WRITE", __GFP_WRITE);
        NAMES.put("__GFP_NOWARN", __GFP_NOWARN);
        NAMES.put("__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL);
        NAMES.put("__GFP_NOFAIL", __GFP_NOFAIL);
        NAMES.put("__GFP_NORETRY", __GFP_NORETRY);
        NAMES.put("__GFP_MEMALLOC", __GFP_MEMALLOC);
        NAMES.put("__GFP_COMP", __GFP_COMP);
        NAMES.put("__GFP_NOMEMALLOC", __GFP_NOMEMALLOC);
        NAMES.put("__GFP_HARDWALL", __GFP_HARDWALL);
    }

    private static final int KNOWN_BITS = GFP_TRANSHUGE | __GFP_DMA | __GFP_DMA32 | __GFP_RECLAIMABLE | __GFP_HIGH
            | __GFP_ZERO | __GFP_WRITE | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC;

    private Gfp() {
    }

    /**
     * Parses "GFP_KERNEL", "GFP_HIGHUSER_MOVABLE|__GFP_COMP" (or with ',' instead of '|', which a shell
     * would take for a pipe), or a number such as "0x100cca".
     *
     * @throws IllegalArgumentException naming the part that is not a GFP flag, and the known names
     */
    public static int parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty GFP mask; known flags: " + String.join(", ", NAMES.keySet()));
        }
        int mask = 0;
        for (String part : text.split("[|,]")) {
            String p = part.trim();
            Integer named = NAMES.get(p.toUpperCase(Locale.ROOT));
            if (named != null) {
                mask |= named;
                continue;
            }
            try {
                if (!p.matches("0[xX][0-9a-fA-F]+|-?[0-9]+")) { // ASCII only: Long.parseLong takes any script's digits
                    throw new NumberFormatException(p);
                }
                long v = p.startsWith("0x") || p.startsWith("0X") ? Long.parseLong(p.substring(2), 16) : Long.parseLong(p);
                if (v < 0 || (v & ~(long) KNOWN_BITS) != 0) {
                    throw new IllegalArgumentException("GFP mask " + p + " has bits no flag defines (known bits: 0x"
                            + Integer.toHexString(KNOWN_BITS) + ")");
                }
                mask |= (int) v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not a GFP flag; known flags: "
                        + String.join(", ", NAMES.keySet()));
            }
        }
        return mask;
    }

    /** %pGg: the mask as composite and single flag names joined by '|', e.g. "GFP_KERNEL|__GFP_COMP". */
    public static String format(int mask) {
        List<String> parts = new ArrayList<>();
        int rest = mask;
        for (Map.Entry<String, Integer> e : NAMES.entrySet()) {
            int bits = e.getValue();
            if (bits != 0 && (rest & bits) == bits) {
                parts.add(e.getKey());
                rest &= ~bits;
            }
        }
        if (rest != 0) {
            parts.add("0x" + Integer.toHexString(rest));
        }
        return parts.isEmpty() ? "0" : String.join("|", parts);
    }

    /** gfp_migratetype(): which free lists an allocation with this mask prefers. */
    public static MigrateType migratetype(int gfp) {
        if ((gfp & __GFP_MOVABLE) != 0) {
            return MigrateType.MOVABLE;
        }
        return (gfp & __GFP_RECLAIMABLE) != 0 ? MigrateType.RECLAIMABLE : MigrateType.UNMOVABLE;
    }
}
