package org.mmlab.cli.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * The lab's LogReaderService, ranked above felix.log's so that Gogo's `log` command, the Web Console and
 * every other reader take it: its log is felix.log's recent entries of every level (its last 100) and the
 * warnings and errors {@link KeptLog} kept (its last 1,000), newest first as the Log Service specification
 * says, each entry once. Listeners are felix.log's, added for the bundle that asked: one instance a bundle,
 * so that a bundle that goes without removing its listeners leaves none behind.
 */
@Component(service = LogReaderService.class, scope = ServiceScope.BUNDLE,
        property = {"service.ranking:Integer=10", LabLogReader.MARK + "=kept"})
public class LabLogReader implements LogReaderService {

    /** A property of the lab's log services in front of felix.log's. */
    static final String MARK = "mmlab.log";
    /** A reference's target for felix.log's services, not the lab's ones in front of them. */
    static final String NOT_OURS = "(!(" + MARK + "=*))";
    /** Newest first. */
    private static final Comparator<LogEntry> NEWEST_FIRST = Comparator.comparingLong(LogEntry::getSequence).reversed();

    private final LogReaderService felixLog;
    private final KeptLog keptLog;
    private final List<LogListener> listeners = new CopyOnWriteArrayList<>();

    @Activate
    public LabLogReader(@Reference(target = NOT_OURS) LogReaderService felixLog, @Reference KeptLog keptLog) {
        this.felixLog = felixLog;
        this.keptLog = keptLog;
    }

    @Deactivate
    void deactivate() {
        for (LogListener l : listeners) {
            felixLog.removeLogListener(l);
        }
    }

    @Override
    public void addLogListener(LogListener listener) {
        if (!listeners.contains(listener)) {
            listeners.add(listener);
            felixLog.addLogListener(listener);
        }
    }

    @Override
    public void removeLogListener(LogListener listener) {
        listeners.remove(listener);
        felixLog.removeLogListener(listener);
    }

    @Override
    public Enumeration<LogEntry> getLog() {
        return Collections.enumeration(merge(Collections.list(felixLog.getLog()), keptLog.newestFirst()));
    }

    /**
     * felix.log's recent entries and the kept ones, each once (felix.log hands its listeners the entries it
     * stores), newest first by the log's sequence numbers.
     */
    static List<LogEntry> merge(List<LogEntry> recent, List<LogEntry> kept) {
        Set<LogEntry> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(recent);
        List<LogEntry> all = new ArrayList<>(recent.size() + kept.size());
        all.addAll(recent);
        for (LogEntry e : kept) {
            if (!seen.contains(e)) {
                all.add(e);
            }
        }
        all.sort(NEWEST_FIRST);
        return all;
    }
}
