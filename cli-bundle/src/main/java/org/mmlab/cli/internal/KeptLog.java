package org.mmlab.cli.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * The OSGi log's warnings and errors, kept: felix.log 1.3.0 keeps only its last 100 entries of every level
 * (org.apache.felix.log.maxSize), and logs every service and bundle event at INFO, so a race batch or a few
 * driver loads pushed a warning out of `log warn` within seconds. This listens to felix.log's reader and keeps
 * the last {@link #KEPT} entries of level WARN or worse (AUDIT, ERROR, WARN); {@link LabLogReader} shows them
 * beside felix.log's recent entries. felix.log delivers entries to listeners on a thread of its own, in order.
 */
@Component(service = KeptLog.class, immediate = true)
public class KeptLog implements LogListener {

    /** How many warnings and errors are kept: the oldest goes when one more comes. */
    static final int KEPT = 1_000;

    private final LogReaderService felixLog;
    /** Oldest first; guarded by itself. */
    private final ArrayDeque<LogEntry> kept = new ArrayDeque<>();

    @Activate
    public KeptLog(@Reference(target = LabLogReader.NOT_OURS) LogReaderService felixLog) {
        this.felixLog = felixLog;
        felixLog.addLogListener(this);
    }

    @Deactivate
    void deactivate() {
        felixLog.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        if (isKept(entry)) {
            synchronized (kept) {
                if (kept.size() == KEPT) {
                    kept.removeFirst();
                }
                kept.addLast(entry);
            }
        }
    }

    /** AUDIT, ERROR and WARN: what `log warn` shows. */
    static boolean isKept(LogEntry entry) {
        return entry.getLogLevel().ordinal() <= LogLevel.WARN.ordinal();
    }

    /** The kept warnings and errors, newest first. */
    List<LogEntry> newestFirst() {
        synchronized (kept) {
            List<LogEntry> list = new ArrayList<>(kept.size());
            for (Iterator<LogEntry> it = kept.descendingIterator(); it.hasNext();) {
                list.add(it.next());
            }
            return list;
        }
    }
}
