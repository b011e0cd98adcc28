package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.mmlab.lab.LabRuns;
import org.osgi.service.component.annotations.Component;

/**
 * The board of runs ({@link LabRuns}): the latest entries, each replaced as it is posted. Immediate: the
 * commands that post to it go with every reboot of the guest (a storm's first of all), and a delayed
 * component would go with its last user, the entries with it.
 */
@Component(immediate = true)
public class RunBoard implements LabRuns {
    /** By id, oldest first; guarded by this. */
    private final Map<Long, Run> runs = new LinkedHashMap<>();
    private long nextId = 1;

    @Override
    public synchronized long start(String what, int planned) {
        long id = nextId++;
        runs.put(id, new Run(id, what, planned, 0, 0, "", List.of(), true));
        if (runs.size() > KEPT) {
            runs.remove(runs.keySet().iterator().next());
        }
        return id;
    }

    @Override
    public synchronized void progress(long id, int done, int reproduced, String latest, List<String> reports) {
        runs.computeIfPresent(id, (k, r) -> {
            Set<String> all = new LinkedHashSet<>(r.reports());
            all.addAll(reports);
            return new Run(id, r.what(), r.planned(), done, reproduced, latest,
                    all.stream().limit(REPORTS_KEPT).toList(), true);
        });
    }

    @Override
    public synchronized void end(long id, String summary) {
        runs.computeIfPresent(id, (k, r) -> new Run(id, r.what(), r.planned(), r.done(), r.reproduced(), summary,
                r.reports(), false));
    }

    @Override
    public synchronized List<Run> runs() {
        return new ArrayList<>(runs.values());
    }
}
