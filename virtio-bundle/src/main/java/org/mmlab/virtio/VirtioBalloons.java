package org.mmlab.virtio;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Every virtio-balloon device running now (one per factory configuration of org.mmlab.virtio.balloon). */
@ProviderType
public interface VirtioBalloons {
    /** The factory PID whose configurations make devices. */
    String FACTORY_PID = "org.mmlab.virtio.balloon";

    /** A snapshot of every device, by device name. */
    List<VirtioBalloonState> devices();

    /** A snapshot of one device, if it runs. */
    Optional<VirtioBalloonState> device(String name);
}
