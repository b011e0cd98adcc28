package org.mmlab.cli.internal;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * A LoggerFactory in front of felix.log's, ranked above it: SCR's LogManager takes the highest-ranked one
 * for its component and bundle loggers, and DS hands it to components that ask for a Logger. Its Loggers are
 * felix.log's Loggers of the same bundle and name, whose levels they keep for a while ({@link LogLevels},
 * {@link CachedLevelLogger}); the log's entries are felix.log's, as before. One instance a bundle, as
 * felix.log's, so that getLogger(name) is the asking bundle's. A FormatterLogger is felix.log's own.
 */
@Component(service = LoggerFactory.class, scope = ServiceScope.BUNDLE,
        property = {"service.ranking:Integer=10", LabLogReader.MARK + "=levels"})
public class LevelCachingLoggerFactory implements LoggerFactory {

    private final LoggerFactory felixLog;
    private final LogLevels levels;
    private final Bundle user;

    @Activate
    public LevelCachingLoggerFactory(@Reference(target = LabLogReader.NOT_OURS) LoggerFactory felixLog,
            @Reference LogLevels levels, ComponentContext context) {
        this.felixLog = felixLog;
        this.levels = levels;
        this.user = context.getUsingBundle();
    }

    @Override
    public Logger getLogger(String name) {
        return getLogger(user, name, Logger.class);
    }

    @Override
    public Logger getLogger(Class<?> clazz) {
        return getLogger(user, clazz.getName(), Logger.class);
    }

    @Override
    public <L extends Logger> L getLogger(String name, Class<L> loggerType) {
        return getLogger(user, name, loggerType);
    }

    @Override
    public <L extends Logger> L getLogger(Class<?> clazz, Class<L> loggerType) {
        return getLogger(user, clazz.getName(), loggerType);
    }

    @Override
    public <L extends Logger> L getLogger(Bundle bundle, String name, Class<L> loggerType) {
        if (loggerType != Logger.class) {
            return felixLog.getLogger(bundle, name, loggerType);
        }
        return loggerType.cast(levels.logger(bundle, name, felixLog));
    }
}
