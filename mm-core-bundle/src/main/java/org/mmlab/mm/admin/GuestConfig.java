package org.mmlab.mm.admin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;
import org.osgi.util.promise.Promise;

/**
 * The guest's configuration, PID org.mmlab.mm, as Configuration Admin holds it: a change reboots the
 * guest. A bad value is refused before anything is written, whoever writes it: a configuration that
 * reaches mm-core otherwise (cm:, a file) and is bad is refused by its configuration gate, and the
 * running guest stays.
 */
@ProviderType
public interface GuestConfig {
    /** The configuration PID users and tools write. */
    String PID = "org.mmlab.mm";
    /** Its properties, in the order mm:config shows them. */
    List<String> PROPERTIES = List.of("memorySize", "dma32Size", "contentModel", "debugVm", "debugList",
            "migrationContract", "pagePoisoning", "lockdep");

    /** The configuration the running guest booted with; empty when no guest runs. */
    Optional<GuestConfiguration> running();

    /** Why the gate refused what PID org.mmlab.mm holds (the guest runs on an earlier one); empty when it did not. */
    Optional<String> refused();

    /**
     * With no guest running: the configuration the last boot was to use, each property that is bad on its
     * own reset to its default (so that one {@link #update} can always bring a guest up), and why it did
     * not boot.
     */
    FailedBoot failedBoot();

    /**
     * Changes these properties (values as Configuration Admin holds them: a String, a Boolean for the
     * switches), the others kept, and reboots the guest with them. The promise resolves with the
     * configuration of the guest that booted from this change once that guest is registered, or fails
     * with the gate's refusal (IllegalArgumentException). Refused at once, nothing written, for an
     * unknown property or a bad value.
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    Promise<GuestConfiguration> update(Map<String, ?> changes);

    /** As {@link #update}, but every property not given goes back to its default: a fresh default guest. */
    Promise<GuestConfiguration> reset(Map<String, ?> properties);

    /**
     * The guest booted from what PID org.mmlab.mm holds now, whoever wrote it (cm:, a file, a test's
     * configuration): resolved once that guest is registered (at once if it runs), failed with the gate's
     * refusal. The lab is settled once it resolves.
     */
    Promise<GuestConfiguration> booted();

    /**
     * Why no guest runs, and what to start from.
     *
     * @param properties what the last boot was to use, every property given, bad ones at their default
     * @param reset      the properties that were bad on their own, as NAME=VALUE
     * @param why        the reason it failed, in a sentence
     */
    record FailedBoot(Map<String, Object> properties, List<String> reset, String why) {
        public FailedBoot {
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
            reset = List.copyOf(reset);
        }
    }
}
