package org.mmlab.lab.internal;

import java.util.List;

/** The races the lab can run, in the order of the catalogue (docs/race-lab.md). */
public final class Catalogue {
    private final List<Race> races;

    Catalogue(List<Race> races) {
        this.races = List.copyOf(races);
    }

    public List<Race> races() {
        return races;
    }

    /** The race by name or by its number in the catalogue (1..n); a clear error otherwise. */
    public Race race(String nameOrNumber) {
        for (Race r : races) {
            if (r.name().equals(nameOrNumber)) {
                return r;
            }
        }
        try {
            int i = Integer.parseInt(nameOrNumber);
            if (i >= 1 && i <= races.size()) {
                return races.get(i - 1);
            }
        } catch (NumberFormatException e) {
            // not a number either
        }
        StringBuilder names = new StringBuilder();
        for (Race r : races) {
            names.append(names.length() == 0 ? "" : ", ").append(r.name());
        }
        throw new IllegalArgumentException("no race '" + nameOrNumber + "': see lab:races (" + names + ")");
    }
}
