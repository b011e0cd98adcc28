package org.mmlab.cli.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * When the log levels {@link CachedLevelLogger}s keep are good for. felix.log sets its levels from the
 * Configuration Admin configurations {@code org.osgi.service.log.admin} (the root context) and
 * {@code org.osgi.service.log.admin|NAME} (a bundle's), in a configuration listener of its own, and from
 * {@code LoggerContext.setLogLevels()} and {@code clear()}, which tell no one.
 * <ol>
 * <li>An event of one of those configurations makes every kept level stale at once (the epoch moves), and
 * keeps any from being kept for {@link #SETTLE_MS} ms after it: Configuration Admin hands the event to
 * felix.log's listener and to this one in one task on its event thread, in no set order, so a level asked for
 * between the two would otherwise be kept from before felix.log applied the change. Should felix.log's
 * listener come later than that, the level is stale for the time below at most.</li>
 * <li>A level is kept for {@link #ttlNanos} at most (the framework property {@value #TTL_PROPERTY}, 1,000 ms by
 * default): a {@code setLogLevels()} or {@code clear()} through the LoggerAdmin service takes effect within that
 * time, not at once.</li>
 * </ol>
 * It also holds the loggers, one a bundle and logger name, so that a level is asked for once however many
 * times SCR asks for the logger (each start of a bundle's components makes new ones), until the bundle is
 * updated or uninstalled.
 */
@Component(service = {LogLevels.class, ConfigurationListener.class}, immediate = true)
public class LogLevels implements ConfigurationListener, BundleListener {

    /** felix.log's configuration, and its bundles' with "|NAME" after it (Log Service specification, 101.8.2). */
    static final String ADMIN_PID = "org.osgi.service.log.admin";
    /** How long a level is kept, in milliseconds. */
    static final String TTL_PROPERTY = "mmlab.log.levelCacheMillis";
    static final long DEFAULT_TTL_MS = 1_000;
    /** After an event, how long no level is kept (the time to keep, if shorter). */
    static final long SETTLE_MS = 100;

    final long ttlNanos;
    private final long settleNanos;
    /** Moves at each event of felix.log's configurations: a level kept in another epoch is stale. */
    private volatile long epoch;
    /** Until then (System.nanoTime()), levels are asked for each time, not kept. */
    private volatile long keepNoneUntil;

    /** By bundle id, then logger name. */
    private final Map<Long, Map<String, CachedLevelLogger>> loggers = new ConcurrentHashMap<>();
    private BundleContext context;

    @Activate
    public LogLevels(BundleContext context) {
        this(ttlMillis(context.getProperty(TTL_PROPERTY)));
        this.context = context;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    LogLevels(long ttlMillis) {
        this(ttlMillis, Math.min(ttlMillis, SETTLE_MS));
    }

    LogLevels(long ttlMillis, long settleMillis) {
        ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
        settleNanos = TimeUnit.MILLISECONDS.toNanos(settleMillis);
        keepNoneUntil = System.nanoTime();
    }

    static long ttlMillis(String value) {
        if (value == null) {
            return DEFAULT_TTL_MS;
        }
        try {
            long ms = Long.parseLong(value.trim());
            if (ms >= 0) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(TTL_PROPERTY + "=" + value + ": give 0 or more milliseconds");
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (isLogAdmin(event.getPid())) {
            changed(System.nanoTime());
        }
    }

    static boolean isLogAdmin(String pid) {
        return pid != null && (pid.equals(ADMIN_PID) || pid.startsWith(ADMIN_PID + '|'));
    }

    /** felix.log's levels changed, or are about to. */
    void changed(long now) {
        keepNoneUntil = now + settleNanos;
        epoch++; // only Configuration Admin's event thread writes
    }

    /** The lab's logger of the bundle and name, in front of felix.log's. */
    CachedLevelLogger logger(Bundle bundle, String name, LoggerFactory felixLog) {
        if (bundle.getState() == Bundle.UNINSTALLED) {
            return new CachedLevelLogger(felixLog.getLogger(bundle, name, Logger.class), this);
        }
        return loggers.computeIfAbsent(bundle.getBundleId(), id -> new ConcurrentHashMap<>()).computeIfAbsent(name,
                n -> new CachedLevelLogger(felixLog.getLogger(bundle, n, Logger.class), this));
    }

    /** An updated bundle's logger contexts may be others (their names hold its version): its loggers go. */
    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UPDATED || event.getType() == BundleEvent.UNINSTALLED) {
            loggers.remove(event.getBundle().getBundleId());
        }
    }

    long epoch() {
        return epoch;
    }

    /** Whether a level asked for at {@code now} may be kept. */
    boolean mayKeep(long now) {
        return now - keepNoneUntil >= 0;
    }
}
