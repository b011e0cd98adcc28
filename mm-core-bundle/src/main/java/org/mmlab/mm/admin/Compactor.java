package org.mmlab.mm.admin;

import java.util.List;

import org.mmlab.mm.MigrateMode;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Compaction of the running guest as users ask for it (mm/compaction.c): vm.compact_memory, compaction
 * for an order, the kcompactd thread and vm.compaction_proactiveness. A bad value is refused
 * (IllegalArgumentException) and changes nothing.
 */
@ProviderType
public interface Compactor {
    /** vm.compact_memory: every zone, whole, in this mode (the sysctl's is sync). */
    CompactStats compactMemory(MigrateMode mode);

    /** Compaction of each zone until a free block of this order (1 to MAX_PAGE_ORDER) exists, as kcompactd does. */
    CompactStats compactOrder(int order, MigrateMode mode);

    /** kcompactd0's state. */
    Kcompactd kcompactd();

    /** Starts kcompactd0 (kcompactd_run()); nothing if it runs. */
    void startKcompactd();

    /** Stops kcompactd0 (kcompactd_stop()) and waits until it has; nothing if it is stopped. */
    void stopKcompactd();

    /** vm.compaction_proactiveness, 0 to 100: 0 turns proactive compaction off, any other value wakes kcompactd. */
    void setProactiveness(int value);

    /**
     * kcompactd0 now.
     *
     * @param running        the thread runs
     * @param proactiveness  vm.compaction_proactiveness
     * @param status         what mm:kcompactd status prints: the thread, the score watermarks and last
     *                       scores, its wakes and passes, the zones' deferral state
     */
    record Kcompactd(boolean running, int proactiveness, List<String> status) {
        public Kcompactd {
            status = List.copyOf(status);
        }
    }
}
