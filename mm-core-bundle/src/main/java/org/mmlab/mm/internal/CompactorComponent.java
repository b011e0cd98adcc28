package org.mmlab.mm.internal;

import org.mmlab.mm.MigrateMode;
import org.mmlab.mm.admin.CompactStats;
import org.mmlab.mm.admin.Compactor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Compaction of the running guest as users ask for it (Compactor): compact_memory, an order, kcompactd. */
@Component(service = Compactor.class)
public class CompactorComponent implements Compactor {
    private final RunningGuest guests;

    @Activate
    public CompactorComponent(@Reference RunningGuest guests) {
        this.guests = guests;
    }

    private Compaction compaction() {
        return guests.get().guest().compaction();
    }

    @Override
    public CompactStats compactMemory(MigrateMode mode) {
        return compaction().compactMemory(mode);
    }

    @Override
    public CompactStats compactOrder(int order, MigrateMode mode) {
        return compaction().compactOrder(order, mode);
    }

    @Override
    public Kcompactd kcompactd() {
        Compaction c = compaction();
        return new Kcompactd(c.kcompactd().running(), c.compactionProactiveness(), c.kcompactd().status());
    }

    @Override
    public void startKcompactd() {
        compaction().kcompactd().run();
    }

    @Override
    public void stopKcompactd() {
        compaction().kcompactd().stop();
    }

    @Override
    public void setProactiveness(int value) {
        compaction().setCompactionProactiveness(value);
    }
}
