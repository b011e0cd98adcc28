package org.mmlab.mm;

/** The errno values migration callbacks return, negated as the kernel returns them (include/uapi/asm-generic/errno-base.h). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;

    private Errno() {
    }
}
