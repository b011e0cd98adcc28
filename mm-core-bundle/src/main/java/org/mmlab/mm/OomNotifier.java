package org.mmlab.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * register_oom_notifier() (mm/oom_kill.c): called before the OOM killer picks a victim, so that
 * a balloon can deflate instead (virtio's DEFLATE_ON_OOM).
 */
@ConsumerType
public interface OomNotifier {
    /** Give pages back to the guest; returns how many were freed. */
    long oomNotify();
}
