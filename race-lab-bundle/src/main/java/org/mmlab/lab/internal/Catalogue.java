package org.mmlab.lab.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The races the lab can run, by their number in the catalogue (issue 5's numbering, docs/race-lab.md). */
public final class Catalogue {
    private final TreeMap<Integer, Race> races;

    Catalogue(Map<Integer, Race> races) {
        this.races = new TreeMap<>(races);
    }

    /** The lab's races, numbered as docs/race-lab.md numbers them. */
    static Catalogue all() {
        return new Catalogue(Map.ofEntries(Map.entry(1, new UnloadDuringMigration()), Map.entry(2, new MissingWmb()),
                Map.entry(3, new GlobalVbPtr()), Map.entry(4, new FreedMappingNotCleared()),
                Map.entry(5, new MappingUsedBeforeInit()), Map.entry(6, new LocklessScanFalsePositive()),
                Map.entry(7, new IsolationVersusFree()), Map.entry(8, new MainlineUnderPct()),
                Map.entry(9, new VmwDeflateDuringMigration()), Map.entry(10, new HintingDeviceUnload()),
                Map.entry(11, new ReportedWhileAllocated()), Map.entry(12, new BoundaryOnAllocatedPage()),
                Map.entry(13, new MappingFreedUnderScan())));
    }

    /** The races, in the order of their numbers. */
    public List<Race> races() {
        return List.copyOf(races.values());
    }

    /** The race's number in the catalogue. */
    public int number(Race race) {
        return races.entrySet().stream().filter(e -> e.getValue() == race).findFirst().orElseThrow().getKey();
    }

    /** What lab:storm prints beside a checker report (whole) that is a race's: " [race 1, unload-during-migration]". */
    public String naming(String report) {
        return races.entrySet().stream().filter(e -> e.getValue().reportIsOurs(report)).findFirst()
                .map(e -> " [race " + e.getKey() + ", " + e.getValue().name() + "]").orElse("");
    }

    /** The race by name or by its number in the catalogue; a clear error otherwise. */
    public Race race(String nameOrNumber) {
        for (Race r : races.values()) {
            if (r.name().equals(nameOrNumber)) {
                return r;
            }
        }
        if (nameOrNumber.matches("[0-9]{1,9}")) { // ASCII only: Integer.parseInt takes any script's digits
            Race r = races.get(Integer.parseInt(nameOrNumber));
            if (r != null) {
                return r;
            }
        }
        StringBuilder names = new StringBuilder();
        races.forEach((n, r) -> names.append(names.length() == 0 ? "" : ", ").append(n).append(' ').append(r.name()));
        throw new IllegalArgumentException("no race '" + nameOrNumber + "': see lab:races (" + names + ")");
    }
}
