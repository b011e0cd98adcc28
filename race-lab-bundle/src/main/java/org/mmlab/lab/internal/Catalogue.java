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
        return new Catalogue(Map.of(1, new UnloadDuringMigration(), 2, new MissingWmb(), 3, new GlobalVbPtr(),
                4, new FreedMappingNotCleared(), 5, new MappingUsedBeforeInit(), 6, new LocklessScanFalsePositive(),
                7, new IsolationVersusFree(), 8, new MainlineUnderPct(), 9, new VmwDeflateDuringMigration()));
    }

    /** The races, in the order of their numbers. */
    public List<Race> races() {
        return List.copyOf(races.values());
    }

    /** The race's number in the catalogue. */
    public int number(Race race) {
        return races.entrySet().stream().filter(e -> e.getValue() == race).findFirst().orElseThrow().getKey();
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
