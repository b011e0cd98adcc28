package org.mmlab.mm;

/** isolate_mode_t (include/linux/mmzone.h): how a page is isolated, passed to isolate_page(). */
public final class IsolateMode {
    /** ISOLATE_ASYNC_MIGRATE: isolate for asynchronous migration (never block). */
    public static final int ISOLATE_ASYNC_MIGRATE = 0x4;
    /** ISOLATE_UNEVICTABLE: unevictable pages may be isolated too. */
    public static final int ISOLATE_UNEVICTABLE = 0x8;

    private IsolateMode() {
    }
}
