package org.mmlab.vmware.internal;

import java.util.Locale;

/**
 * Which kernel's vmballoon_migratepage() a device runs where it differs: after the hypervisor took the
 * old page back (UNLOCK), it refused the new one (LOCK), so the balloon shrank by a page. Not a module
 * parameter of the kernel: the lab's knob for the race lab's race 9.
 */
enum MigrateVersion {
    /**
     * The 2026 balloon cleanups (the -ENOENT convention of balloon_page_migrate(), most likely v7.0): the
     * driver only talks to its host and answers -ENOENT; the balloon infrastructure deflates the old page.
     */
    ENOENT("enoent"),
    /**
     * Commit 4ba5a8a7faa6 (v6.18-rc3, "vmw_balloon: indicate success when effectively deflating during
     * migration"): the driver deflates the old page itself and answers 0, so migration frees it.
     */
    SUCCESS("success"),
    /**
     * Commit 83a8afa72e9c (v5.1, "vmw_balloon: Compaction support") to v6.18-rc2: the driver deflates the
     * old page itself and answers -EBUSY, so migration keeps it isolated and puts it back to no device. The
     * 2016 core tolerated that (the page was no longer PageMovable); since 3544c4faccb8 (v6.17) the 2025
     * core's balloon_page_putback() WARNs.
     */
    EBUSY("ebusy");

    static final String ALLOWED = "enoent, success or ebusy";

    final String value;

    MigrateVersion(String value) {
        this.value = value;
    }

    static MigrateVersion parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (MigrateVersion v : values()) {
            if (v.value.equals(t)) {
                return v;
            }
        }
        throw new IllegalArgumentException("migratepage=" + text + ": must be " + ALLOWED);
    }
}
