package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/** The warnings and errors the lab keeps beside felix.log's last 100 entries, and the log it reads. */
class KeptLogTest {

    private final List<LogListener> listeners = new ArrayList<>();

    @Test
    void warningsErrorsAndAuditsAreKeptNewestFirstAndInfoIsNot() {
        KeptLog kept = new KeptLog(reader());
        LogEntry warn = entry(1, LogLevel.WARN);
        LogEntry info = entry(2, LogLevel.INFO);
        LogEntry error = entry(3, LogLevel.ERROR);
        LogEntry audit = entry(4, LogLevel.AUDIT);
        LogEntry debug = entry(5, LogLevel.DEBUG);
        for (LogEntry e : List.of(warn, info, error, audit, debug)) {
            listeners.get(0).logged(e);
        }

        assertThat(kept.newestFirst()).containsExactly(audit, error, warn);
    }

    @Test
    void theThousandAndFirstWarningPushesTheOldestOut() {
        KeptLog kept = new KeptLog(reader());
        for (int i = 0; i <= KeptLog.KEPT; i++) {
            kept.logged(entry(i, LogLevel.WARN));
        }

        List<LogEntry> log = kept.newestFirst();
        assertThat(log).hasSize(KeptLog.KEPT);
        assertThat(log.get(0).getSequence()).isEqualTo(KeptLog.KEPT);
        assertThat(log.get(log.size() - 1).getSequence()).isEqualTo(1);
    }

    @Test
    void theLogIsTheRecentEntriesAndTheKeptOnesEachOnceNewestFirst() {
        LogEntry oldWarning = entry(3, LogLevel.WARN);
        LogEntry warning = entry(10, LogLevel.WARN);
        LogEntry info = entry(11, LogLevel.INFO);
        LogEntry newest = entry(12, LogLevel.INFO);

        List<LogEntry> log = LabLogReader.merge(List.of(newest, info, warning), List.of(warning, oldWarning));

        assertThat(log).containsExactly(newest, info, warning, oldWarning);
    }

    private LogReaderService reader() {
        return (LogReaderService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {LogReaderService.class}, (proxy, method, args) -> {
                    if (method.getName().equals("addLogListener")) {
                        listeners.add((LogListener) args[0]);
                    }
                    return null;
                });
    }

    static LogEntry entry(long sequence, LogLevel level) {
        return (LogEntry) Proxy.newProxyInstance(KeptLogTest.class.getClassLoader(), new Class<?>[] {LogEntry.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getSequence" -> sequence;
                    case "getLogLevel" -> level;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> level + "#" + sequence;
                    default -> null;
                });
    }
}
