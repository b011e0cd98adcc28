package org.mmlab.mm;

/**
 * The one error of every command and service that needs the running guest's services while mm-core booted
 * none (its configuration was refused, or the guest is between a shutdown and the next boot).
 */
public final class GuestRequired {
    /** What the user reads: why, and where to look. */
    public static final String NO_GUEST = "no guest is running: mm-core did not boot one (see its configuration with"
            + " mm:config, and the log: log warn)";

    private GuestRequired() {
    }

    /**
     * The service a dynamic reference to the guest holds now.
     *
     * @throws IllegalStateException saying {@link #NO_GUEST} when it holds none
     */
    public static <T> T held(T service) {
        if (service == null) {
            throw new IllegalStateException(NO_GUEST);
        }
        return service;
    }
}
