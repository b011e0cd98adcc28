package org.mmlab.lab.shell;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.mmlab.lab.LabRuns;
import org.mmlab.lab.internal.Lab;
import org.mmlab.lab.internal.StormArgs;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** lab:storm: hot-plug storms of driver loads and unloads under load, their replays and shrinks. */
@Component(service = StormCommand.class)
@GogoCommand(scope = "lab", function = {"storm"})
public class StormCommand {
    private final Lab lab;
    /** Where the storm posts its progress and result, for the lab's page. */
    private final LabRuns board;

    @Activate
    public StormCommand(@Reference Lab lab, @Reference LabRuns board) {
        this.lab = lab;
        this.board = board;
    }

    @Descriptor("a hot-plug storm: each cycle a seeded driver family and lifecycle operation (two families at once"
            + " one cycle in four) while the workload, compaction, kcompactd, the hosts' targets, runs out of memory and"
            + " free page hinting run; mm:check, the"
            + " checkers' reports and the modules every K cycles; fails unless 0 pages lost, 0 content mismatches,"
            + " 0 reports, and then prints a replay; --storms K runs K seeded storms, --shard I/N a share of them")
    public void storm(@Descriptor("how many cycles (default 100)") @Parameter(names = {"-n", "--cycles"},
            absentValue = StormArgs.NOT_GIVEN) String cycles,
            @Descriptor("seeds the cycles and the background (default 1)") @Parameter(names = {"--seed"},
                    absentValue = StormArgs.NOT_GIVEN) String seed,
            @Descriptor("the driver families, comma-separated, of virtio,vmware,hyperv,xen,aeration (default: every one registered"
                    + " whose unload gives its pages back: not hyperv or xen, whose kernel remove paths keep them)")
            @Parameter(names = {"-d", "--drivers"}, absentValue = StormArgs.NOT_GIVEN) String drivers,
            @Descriptor("the operations, comma-separated, of stop, uninstall, refresh, update, config"
                    + " (default stop,uninstall,update,config)")
            @Parameter(names = {"-o", "--ops"}, absentValue = StormArgs.NOT_GIVEN) String ops,
            @Descriptor("the migration contract: 2012, 2016 or 2025 (default 2025)")
            @Parameter(names = {"-c", "--contract"}, absentValue = StormArgs.NOT_GIVEN) String contract,
            @Descriptor("the module policy: none, module-ref or osgi-drain (default none)")
            @Parameter(names = {"-p", "--policy"}, absentValue = StormArgs.NOT_GIVEN) String policy,
            @Descriptor("the balloon infrastructure's leak path: v3.8 or v7 (2012 only; default v3.8)")
            @Parameter(names = {"--leak-path"}, absentValue = StormArgs.NOT_GIVEN) String leakPath,
            @Descriptor("cycles between two checks (default 100)") @Parameter(names = {"-k", "--check-every"},
                    absentValue = StormArgs.NOT_GIVEN) String checkEvery,
            @Descriptor("replay these cycles (as a failing storm prints them) on a fresh guest")
            @Parameter(names = {"--replay"}, absentValue = StormArgs.NOT_GIVEN) String replay,
            @Descriptor("shrink these failing cycles to the fewest that still fail")
            @Parameter(names = {"--shrink"}, absentValue = StormArgs.NOT_GIVEN) String shrink,
            @Descriptor("a replay runs its cycles up to this many times in a row, a check after each (default 20)")
            @Parameter(names = {"--repeat"}, absentValue = StormArgs.NOT_GIVEN) String repeat,
            @Descriptor("a campaign of this many storms, storm k (from 0) seeded --seed + k, each on a fresh guest"
                    + " (default 1)") @Parameter(names = {"--storms"}, absentValue = StormArgs.NOT_GIVEN) String storms,
            @Descriptor("run only shard I of N of the campaign's storms: I, I+N, I+2N, ... (I from 0)")
            @Parameter(names = {"--shard"}, absentValue = StormArgs.NOT_GIVEN) String shard,
            @Descriptor("write a JSON record of each storm and a summary record to the file, one a line (- : to the"
                    + " console, instead of the text)")
            @Parameter(names = {"--json"}, absentValue = StormArgs.NOT_GIVEN) String file) throws Exception {
        if (!lab.storm(new StormArgs(cycles, seed, drivers, ops, contract, policy, leakPath, checkEvery, replay, shrink,
                repeat, storms, shard, file), System.out, board)) {
            throw new IllegalStateException("the storm did not end clean (see above)");
        }
    }
}
