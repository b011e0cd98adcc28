package org.mmlab.lab.shell;

import java.util.Arrays;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.lab.internal.records.RecordMerge;
import org.osgi.service.component.annotations.Component;

/** lab:merge: the records that lab:race, lab:explore and lab:storm wrote with --json FILE, as one summary. */
@Component(service = MergeCommand.class)
@GogoCommand(scope = "lab", function = {"merge"})
public class MergeCommand {

    @Descriptor("merge the records of runs (lab:race, lab:explore and lab:storm --json FILE: a campaign's shards,"
            + " or several campaigns): runs by outcome, the findings and their replays; fails if a schedule is in two files, a"
            + " shard is missing or a run did not finish")
    public void merge(@Descriptor("the record files") String... file) {
        RecordMerge.Merged m = RecordMerge.merge(Arrays.asList(file == null ? new String[] {null} : file));
        m.lines().forEach(System.out::println);
        m.problems().forEach(System.out::println);
        if (!m.problems().isEmpty()) {
            throw new IllegalStateException("the files are not whole campaigns: " + m.problems().size() + " problem"
                    + (m.problems().size() == 1 ? "" : "s") + " (above)");
        }
    }
}
