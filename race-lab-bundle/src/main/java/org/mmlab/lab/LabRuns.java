package org.mmlab.lab;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The race lab's board of runs: each batch of runs a command starts (lab:race, lab:explore; a storm of
 * many races posts its progress the same way) is one entry, posted when it starts, after each run and
 * when it ends, for the lab's page and tools to show as it happens. The board keeps the latest
 * {@value #KEPT} entries.
 */
@ProviderType
public interface LabRuns {
    /** How many entries the board keeps, the newest. */
    int KEPT = 50;
    /** How many different reports an entry keeps, the first. */
    int REPORTS_KEPT = 20;

    /**
     * A new entry, running.
     *
     * @param what    what runs, as a user would type it again, e.g. "lab:race 1 --contract 2012 --policy none"
     * @param planned the runs it will make
     * @return the entry's id, for {@link #progress} and {@link #end}
     */
    long start(String what, int planned);

    /**
     * The entry's runs so far: how many are done, how many reproduced their race, the latest run in a line,
     * and the checkers' reports of the latest run (first lines, as {@link CheckerReports} finds them), which
     * the entry adds to those it has unless it has them already.
     */
    void progress(long id, int done, int reproduced, String latest, List<String> reports);

    /** The entry is over: its summary in a line (a verdict, or why it stopped). */
    void end(long id, String summary);

    /** The entries kept, oldest first, each as it is now. */
    List<Run> runs();

    /**
     * One entry of the board.
     *
     * @param id         its id, in the order entries started
     * @param what       what runs
     * @param planned    the runs it will make
     * @param done       the runs done
     * @param reproduced of those, the runs that reproduced their race
     * @param latest     the latest run, or the summary once it is over; empty before its first run
     * @param reports    the different checker reports its runs produced, the first {@value #REPORTS_KEPT}: a
     *                   run's guest is rebooted after a report, so its dmesg is gone, but not these
     * @param running    false once it is over
     */
    record Run(long id, String what, int planned, int done, int reproduced, String latest, List<String> reports,
            boolean running) {
        public Run {
            reports = List.copyOf(reports);
        }
    }
}
