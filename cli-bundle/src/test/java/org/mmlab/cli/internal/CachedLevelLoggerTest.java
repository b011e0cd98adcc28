package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/** felix.log's Logger with its level kept: asked once, asked again when felix.log's configuration changes. */
class CachedLevelLoggerTest {

    /** An hour: no level goes stale by time in these tests. */
    private static final long HOUR_MS = 3_600_000;

    @Test
    void aLevelIsKeptNoLongerThanTheTimeToKeep() {
        CachedLevelLogger logger = new CachedLevelLogger(felix(), new LogLevels(0));
        assertThat(logger.isDebugEnabled()).isFalse();

        felixLevel = LogLevel.DEBUG; // a LoggerContext.setLogLevels(): no event

        assertThat(logger.isDebugEnabled()).isTrue();
    }

    private LogLevel felixLevel = LogLevel.WARN;
    private final List<String> calls = new ArrayList<>();

    @Test
    void theLevelIsAskedOnceThenKept() {
        CachedLevelLogger logger = new CachedLevelLogger(felix(), new LogLevels(HOUR_MS));

        assertThat(logger.isDebugEnabled()).isFalse();
        int asked = calls.size();
        assertThat(logger.isDebugEnabled()).isFalse();
        assertThat(logger.isWarnEnabled()).isTrue();
        assertThat(logger.isInfoEnabled()).isFalse();

        assertThat(calls).hasSize(asked);
    }

    @Test
    void eachLevelIsFelixLogsAnswer() {
        for (LogLevel level : LogLevel.values()) {
            felixLevel = level;
            assertThat(CachedLevelLogger.ask(felix())).isEqualTo(level);
        }
    }

    @Test
    void anEventOfFelixLogsConfigurationMakesTheKeptLevelStaleAtOnce() {
        LogLevels levels = new LogLevels(HOUR_MS);
        CachedLevelLogger logger = new CachedLevelLogger(felix(), levels);
        assertThat(logger.isDebugEnabled()).isFalse();

        felixLevel = LogLevel.DEBUG; // felix.log's listener applied org.osgi.service.log.admin|bsn
        levels.changed(System.nanoTime());

        assertThat(logger.isDebugEnabled()).isTrue();
    }

    @Test
    void whileFelixLogMayNotHaveAppliedAnEventNoLevelIsKept() {
        LogLevels levels = new LogLevels(HOUR_MS, HOUR_MS);
        CachedLevelLogger logger = new CachedLevelLogger(felix(), levels);
        levels.changed(System.nanoTime()); // ours first: felix.log's listener is still to run

        assertThat(logger.isDebugEnabled()).isFalse();
        felixLevel = LogLevel.DEBUG;

        assertThat(logger.isDebugEnabled()).isTrue();
    }

    @Test
    void onlyFelixLogsConfigurationsCount() {
        assertThat(LogLevels.isLogAdmin("org.osgi.service.log.admin")).isTrue();
        assertThat(LogLevels.isLogAdmin("org.osgi.service.log.admin|virtio-bundle")).isTrue();
        assertThat(LogLevels.isLogAdmin("org.mmlab.virtio.device~0")).isFalse();
        assertThat(LogLevels.isLogAdmin("org.osgi.service.log.administrator")).isFalse();
    }

    @Test
    void aDisabledLineNeverReachesFelixLogAndAnEnabledOneDoes() {
        CachedLevelLogger logger = new CachedLevelLogger(felix(), new LogLevels(HOUR_MS));
        logger.debug("quiet");
        logger.warn("said");
        logger.audit("always");

        assertThat(calls).contains("warn:said", "audit:always").doesNotContain("debug:quiet");
    }

    @Test
    void aBadTimeToKeepIsRefusedSayingWhatIsAllowed() {
        assertThat(LogLevels.ttlMillis(null)).isEqualTo(LogLevels.DEFAULT_TTL_MS);
        assertThat(LogLevels.ttlMillis(" 0 ")).isZero();
        assertThatThrownBy(() -> LogLevels.ttlMillis("-1")).hasMessage(
                "mmlab.log.levelCacheMillis=-1: give 0 or more milliseconds");
    }

    @Test
    void aBundlesLoggerOfANameIsOneUntilTheBundleIsUninstalled() {
        LogLevels levels = new LogLevels(HOUR_MS);
        Bundle bundle = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> 42L;
                    case "getState" -> Bundle.ACTIVE;
                    default -> null;
                });
        LoggerFactory felixLog = (LoggerFactory) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {LoggerFactory.class}, (proxy, method, args) -> felix());

        CachedLevelLogger first = levels.logger(bundle, "a", felixLog);
        assertThat(levels.logger(bundle, "a", felixLog)).isSameAs(first);
        assertThat(levels.logger(bundle, "b", felixLog)).isNotSameAs(first);
        levels.bundleChanged(new BundleEvent(BundleEvent.UNINSTALLED, bundle));
        assertThat(levels.logger(bundle, "a", felixLog)).isNotSameAs(first);
    }

    /** felix.log's Logger at felixLevel, each call recorded. */
    private Logger felix() {
        return (Logger) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    calls.add(args == null ? name : name + ":" + args[0]);
                    if (name.startsWith("is") && name.endsWith("Enabled")) {
                        String level = name.substring(2, name.length() - "Enabled".length()).toUpperCase();
                        return felixLevel.implies(LogLevel.valueOf(level));
                    }
                    return null;
                });
    }
}
