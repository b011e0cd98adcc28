package org.mmlab.cli.internal;

import org.osgi.service.log.LogLevel;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerConsumer;

/**
 * felix.log's Logger of a bundle and name, with its effective level kept for a while ({@link LogLevels}):
 * felix.log 1.3.0 answers each isDebugEnabled() and the like by looking up the logger context anew,
 * "bsn|version|location" and "bsn|version" each made by String.format, and SCR asks before each line it
 * could log. Every line of an enabled level goes to felix.log's Logger, which logs it as before.
 */
final class CachedLevelLogger implements Logger {

    /** An effective level, the epoch it was asked in, and until when (System.nanoTime()) it is good. */
    private record Kept(LogLevel level, long epoch, long until) {
    }

    private final Logger felix;
    private final LogLevels levels;
    private volatile Kept kept;

    CachedLevelLogger(Logger felix, LogLevels levels) {
        this.felix = felix;
        this.levels = levels;
    }

    /** The effective level: the kept one while good, else felix.log's answer. */
    LogLevel level() {
        Kept k = kept;
        long now = System.nanoTime();
        if (k != null && k.epoch == levels.epoch() && now - k.until < 0) {
            return k.level;
        }
        long epoch = levels.epoch(); // before asking: a change while asking leaves a stale epoch
        LogLevel level = ask(felix);
        if (levels.mayKeep(now)) {
            kept = new Kept(level, epoch, now + levels.ttlNanos);
        }
        return level;
    }

    /** felix.log's effective level for the logger, in two or three of its checks. */
    static LogLevel ask(Logger felix) {
        if (felix.isInfoEnabled()) {
            if (!felix.isDebugEnabled()) {
                return LogLevel.INFO;
            }
            return felix.isTraceEnabled() ? LogLevel.TRACE : LogLevel.DEBUG;
        }
        if (felix.isWarnEnabled()) {
            return LogLevel.WARN;
        }
        return felix.isErrorEnabled() ? LogLevel.ERROR : LogLevel.AUDIT;
    }

    @Override
    public String getName() {
        return felix.getName();
    }

    @Override
    public boolean isTraceEnabled() {
        return level().implies(LogLevel.TRACE);
    }

    @Override
    public void trace(String message) {
        if (isTraceEnabled()) {
            felix.trace(message);
        }
    }

    @Override
    public void trace(String format, Object arg) {
        if (isTraceEnabled()) {
            felix.trace(format, arg);
        }
    }

    @Override
    public void trace(String format, Object arg1, Object arg2) {
        if (isTraceEnabled()) {
            felix.trace(format, arg1, arg2);
        }
    }

    @Override
    public void trace(String format, Object... arguments) {
        if (isTraceEnabled()) {
            felix.trace(format, arguments);
        }
    }

    @Override
    public <E extends Exception> void trace(LoggerConsumer<E> consumer) throws E {
        if (isTraceEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isDebugEnabled() {
        return level().implies(LogLevel.DEBUG);
    }

    @Override
    public void debug(String message) {
        if (isDebugEnabled()) {
            felix.debug(message);
        }
    }

    @Override
    public void debug(String format, Object arg) {
        if (isDebugEnabled()) {
            felix.debug(format, arg);
        }
    }

    @Override
    public void debug(String format, Object arg1, Object arg2) {
        if (isDebugEnabled()) {
            felix.debug(format, arg1, arg2);
        }
    }

    @Override
    public void debug(String format, Object... arguments) {
        if (isDebugEnabled()) {
            felix.debug(format, arguments);
        }
    }

    @Override
    public <E extends Exception> void debug(LoggerConsumer<E> consumer) throws E {
        if (isDebugEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isInfoEnabled() {
        return level().implies(LogLevel.INFO);
    }

    @Override
    public void info(String message) {
        if (isInfoEnabled()) {
            felix.info(message);
        }
    }

    @Override
    public void info(String format, Object arg) {
        if (isInfoEnabled()) {
            felix.info(format, arg);
        }
    }

    @Override
    public void info(String format, Object arg1, Object arg2) {
        if (isInfoEnabled()) {
            felix.info(format, arg1, arg2);
        }
    }

    @Override
    public void info(String format, Object... arguments) {
        if (isInfoEnabled()) {
            felix.info(format, arguments);
        }
    }

    @Override
    public <E extends Exception> void info(LoggerConsumer<E> consumer) throws E {
        if (isInfoEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isWarnEnabled() {
        return level().implies(LogLevel.WARN);
    }

    @Override
    public void warn(String message) {
        if (isWarnEnabled()) {
            felix.warn(message);
        }
    }

    @Override
    public void warn(String format, Object arg) {
        if (isWarnEnabled()) {
            felix.warn(format, arg);
        }
    }

    @Override
    public void warn(String format, Object arg1, Object arg2) {
        if (isWarnEnabled()) {
            felix.warn(format, arg1, arg2);
        }
    }

    @Override
    public void warn(String format, Object... arguments) {
        if (isWarnEnabled()) {
            felix.warn(format, arguments);
        }
    }

    @Override
    public <E extends Exception> void warn(LoggerConsumer<E> consumer) throws E {
        if (isWarnEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isErrorEnabled() {
        return level().implies(LogLevel.ERROR);
    }

    @Override
    public void error(String message) {
        if (isErrorEnabled()) {
            felix.error(message);
        }
    }

    @Override
    public void error(String format, Object arg) {
        if (isErrorEnabled()) {
            felix.error(format, arg);
        }
    }

    @Override
    public void error(String format, Object arg1, Object arg2) {
        if (isErrorEnabled()) {
            felix.error(format, arg1, arg2);
        }
    }

    @Override
    public void error(String format, Object... arguments) {
        if (isErrorEnabled()) {
            felix.error(format, arguments);
        }
    }

    @Override
    public <E extends Exception> void error(LoggerConsumer<E> consumer) throws E {
        if (isErrorEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public void audit(String message) {
        felix.audit(message);
    }

    @Override
    public void audit(String format, Object arg) {
        felix.audit(format, arg);
    }

    @Override
    public void audit(String format, Object arg1, Object arg2) {
        felix.audit(format, arg1, arg2);
    }

    @Override
    public void audit(String format, Object... arguments) {
        felix.audit(format, arguments);
    }
}
