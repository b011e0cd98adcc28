package org.mmlab.mm.admin;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Checks a configuration of the lab as the bundle that reads it would, writing nothing: registered by
 * that bundle (whiteboard) with the PID or factory PID it checks as the service property {@link #FOR_PID}.
 * A tool that writes configurations itself (the Web Console's configuration manager) asks it first, so
 * that it refuses what the lab would refuse, in the same words.
 */
@ConsumerType
public interface ConfigurationCheck {
    /** The service property naming the PID, or the factory PID, the check is for. */
    String FOR_PID = "mmlab.configuration.pid";

    /**
     * Checks these properties of one configuration (those given; the others as they are).
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    void check(Map<String, ?> properties);
}
