package org.mmlab.vmware.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.mmlab.mm.Mm;

/**
 * Models the guest-hypervisor protocol of drivers/misc/vmw_balloon.c (v6.18.2; unchanged since the
 * v4.20 rewrite, 2M pages and the doorbell included): the backdoor port and magic, the commands and
 * their names as vmmemctl prints them, the capabilities, the status codes and the batch entry.
 */
final class Protocol {
    static final int VMW_BALLOON_HV_PORT = 0x5670;
    static final long VMW_BALLOON_HV_MAGIC = 0x456c6d6fL;
    /** Linux. */
    static final long VMW_BALLOON_GUEST_ID = 1;

    // enum vmwballoon_capabilities; bit 0 is reserved
    static final long VMW_BALLOON_BASIC_CMDS = 1 << 1;
    static final long VMW_BALLOON_BATCHED_CMDS = 1 << 2;
    static final long VMW_BALLOON_BATCHED_2M_CMDS = 1 << 3;
    static final long VMW_BALLOON_SIGNALLED_WAKEUP_CMD = 1 << 4;
    static final long VMW_BALLOON_64_BIT_TARGET = 1 << 5;
    /** VMW_BALLOON_CAPABILITIES of a 64-bit kernel: what the driver asks for at START. */
    static final long VMW_BALLOON_CAPABILITIES = VMW_BALLOON_BASIC_CMDS | VMW_BALLOON_BATCHED_CMDS
            | VMW_BALLOON_BATCHED_2M_CMDS | VMW_BALLOON_SIGNALLED_WAKEUP_CMD | VMW_BALLOON_64_BIT_TARGET;
    private static final String[] CAP_NAMES = {null, "BASIC_CMDS", "BATCHED_CMDS", "BATCHED_2M_CMDS",
        "SIGNALLED_WAKEUP_CMD", "64_BIT_TARGET"};

    // enum vmballoon_cmd_type
    static final int VMW_BALLOON_CMD_START = 0;
    static final int VMW_BALLOON_CMD_GET_TARGET = 1;
    static final int VMW_BALLOON_CMD_LOCK = 2;
    static final int VMW_BALLOON_CMD_UNLOCK = 3;
    static final int VMW_BALLOON_CMD_GUEST_ID = 4;
    /* No command 5 */
    static final int VMW_BALLOON_CMD_BATCHED_LOCK = 6;
    static final int VMW_BALLOON_CMD_BATCHED_UNLOCK = 7;
    static final int VMW_BALLOON_CMD_BATCHED_2M_LOCK = 8;
    static final int VMW_BALLOON_CMD_BATCHED_2M_UNLOCK = 9;
    static final int VMW_BALLOON_CMD_VMCI_DOORBELL_SET = 10;
    static final int VMW_BALLOON_CMD_LAST = VMW_BALLOON_CMD_VMCI_DOORBELL_SET;
    static final int VMW_BALLOON_CMD_NUM = VMW_BALLOON_CMD_LAST + 1;
    /** vmballoon_cmd_names[]: what vmmemctl calls each command (none for 5). */
    static final String[] CMD_NAMES = {"start", "target", "lock", "unlock", "guestType", null, "batchLock",
        "batchUnlock", "2m-lock", "2m-unlock", "doorbellSet"};
    /** VMW_BALLOON_CMD_WITH_TARGET_MASK: the commands that answer with the target in ebx. */
    static final long VMW_BALLOON_CMD_WITH_TARGET_MASK = (1L << VMW_BALLOON_CMD_GET_TARGET)
            | (1L << VMW_BALLOON_CMD_LOCK) | (1L << VMW_BALLOON_CMD_UNLOCK) | (1L << VMW_BALLOON_CMD_BATCHED_LOCK)
            | (1L << VMW_BALLOON_CMD_BATCHED_UNLOCK) | (1L << VMW_BALLOON_CMD_BATCHED_2M_LOCK)
            | (1L << VMW_BALLOON_CMD_BATCHED_2M_UNLOCK);

    // enum vmballoon_error_codes
    static final int VMW_BALLOON_SUCCESS = 0;
    static final int VMW_BALLOON_ERROR_CMD_INVALID = 1;
    static final int VMW_BALLOON_ERROR_PPN_INVALID = 2;
    static final int VMW_BALLOON_ERROR_PPN_LOCKED = 3;
    static final int VMW_BALLOON_ERROR_PPN_UNLOCKED = 4;
    static final int VMW_BALLOON_ERROR_PPN_PINNED = 5;
    static final int VMW_BALLOON_ERROR_PPN_NOTNEEDED = 6;
    static final int VMW_BALLOON_ERROR_RESET = 7;
    static final int VMW_BALLOON_ERROR_BUSY = 8;
    static final long VMW_BALLOON_SUCCESS_WITH_CAPABILITIES = 0x03000000L;
    private static final String[] STATUS_NAMES = {"SUCCESS", "ERROR_CMD_INVALID", "ERROR_PPN_INVALID",
        "ERROR_PPN_LOCKED", "ERROR_PPN_UNLOCKED", "ERROR_PPN_PINNED", "ERROR_PPN_NOTNEEDED", "ERROR_RESET",
        "ERROR_BUSY"};

    /** VMW_BALLOON_MAX_REFUSED: refused pages one inflation accumulates before it moves to 4 KiB pages. */
    static final int VMW_BALLOON_MAX_REFUSED = 16;
    /** VMBALLOON_SHRINK_DELAY: seconds after a shrink before inflation may start again. */
    static final long VMBALLOON_SHRINK_DELAY_S = 5;
    /** The batch page holds PAGE_SIZE / sizeof(struct vmballoon_batch_entry) entries. */
    static final int VMW_BALLOON_BATCH_MAX_PAGES = Mm.PAGE_SIZE / Long.BYTES;

    private Protocol() {
    }

    /**
     * struct vmballoon_batch_entry {u64 status:5; u64 reserved:PAGE_SHIFT - 5; u64 pfn:52;}: an entry
     * for pfn, status 0 (SUCCESS) until the hypervisor writes one.
     */
    static long batchEntry(long pfn) {
        return pfn << Mm.PAGE_SHIFT;
    }

    static long entryPfn(long entry) {
        return entry >>> Mm.PAGE_SHIFT;
    }

    static int entryStatus(long entry) {
        return (int) (entry & 0x1f);
    }

    static long withStatus(long entry, int status) {
        return entry & ~0x1fL | status;
    }

    /** The name of a status, e.g. "ERROR_PPN_NOTNEEDED (6)". */
    static String statusName(long status) {
        if (status == VMW_BALLOON_SUCCESS_WITH_CAPABILITIES) {
            return "SUCCESS_WITH_CAPABILITIES";
        }
        return status >= 0 && status < STATUS_NAMES.length ? STATUS_NAMES[(int) status] + " (" + status + ")"
                : "unknown status " + status;
    }

    /** The capability bits by name, lowest first. */
    static List<String> capabilityNames(long caps) {
        List<String> out = new ArrayList<>();
        for (int bit = 1; bit < CAP_NAMES.length; bit++) {
            if ((caps & 1L << bit) != 0) {
                out.add(CAP_NAMES[bit]);
            }
        }
        return out;
    }

    /**
     * Capabilities from their names, e.g. "BASIC_CMDS,BATCHED_CMDS"; "none" or nothing is 0.
     *
     * @throws IllegalArgumentException for a name that is no capability, with the names allowed
     */
    static long parseCapabilities(String text) {
        long caps = 0;
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("none")) {
            return 0;
        }
        for (String part : t.split(",")) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            int bit = Arrays.asList(CAP_NAMES).indexOf(name);
            if (bit < 1) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not a capability: use "
                        + String.join(", ", capabilityNames(VMW_BALLOON_CAPABILITIES)) + " (comma-separated), or none");
            }
            caps |= 1L << bit;
        }
        return caps;
    }
}
