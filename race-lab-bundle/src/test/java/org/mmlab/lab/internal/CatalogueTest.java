package org.mmlab.lab.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.lab.internal.sched.Strategies;

/**
 * The catalogue's metadata, checked without running a race: every script names only points of the
 * registry and the race's own threads, and every pass says how it passes, closing only edges its
 * script has. So a renamed point or thread breaks this test instead of leaving a window that never opens.
 */
class CatalogueTest {
    private final List<Race> races = Catalogue.all().races();

    @Test
    void everyScriptNamesOnlyRegisteredPointsAndTheRacesOwnThreads() {
        assertThat(races).hasSize(13);
        for (Race r : races) {
            for (Setup s : setups(r)) {
                for (String edge : Strategies.edges(r.script(s))) { // an unknown point throws here
                    for (String event : edge.split(" < ")) {
                        String thread = event.substring(0, event.indexOf('@'));
                        assertThat(r.threadNames()).as("%s under %s: %s", r.name(), s, edge).contains(thread);
                    }
                }
            }
        }
    }

    @Test
    void everyPassSaysWhetherItClosesTheWindowAndClosesOnlyEdgesOfItsScript() {
        for (Race r : races) {
            assertThat(r.passes()).as(r.name()).isNotEmpty();
            for (Pass p : r.passes()) {
                assertThat(r.variants()).as("%s: %s", r.name(), p).containsKey(p.setup().variant());
                assertThat(Strategies.edges(r.script(p.setup()))).as("%s: %s", r.name(), p).containsAll(p.closes());
            }
            assertThat(r.variants()).as(r.name()).containsKey(r.fails().variant());
        }
    }

    @Test
    void aScriptNamingAPointThatDoesNotExistIsRefused() {
        assertThatThrownBy(() -> Strategies.edges("compaction@balloon.migrate < admin@start"))
                .hasMessage("'compaction@balloon.migrate': there is no injection point 'balloon.migrate'"
                        + " (InjectionPoints lists them)");
    }

    private static List<Setup> setups(Race r) {
        List<Setup> out = new ArrayList<>(List.of(r.fails()));
        r.passes().forEach(p -> out.add(p.setup()));
        return out;
    }
}
