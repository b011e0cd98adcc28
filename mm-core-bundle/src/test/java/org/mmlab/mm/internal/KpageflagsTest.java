package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.mm.internal.HandBuiltGuest.freeBlock;
import static org.mmlab.mm.internal.Kpageflags.KPF_ANON;
import static org.mmlab.mm.internal.Kpageflags.KPF_BUDDY;
import static org.mmlab.mm.internal.Kpageflags.KPF_COMPOUND_HEAD;
import static org.mmlab.mm.internal.Kpageflags.KPF_COMPOUND_TAIL;
import static org.mmlab.mm.internal.Kpageflags.KPF_LRU;
import static org.mmlab.mm.internal.Kpageflags.KPF_MMAP;
import static org.mmlab.mm.internal.Kpageflags.KPF_OFFLINE;
import static org.mmlab.mm.internal.Kpageflags.KPF_PGTABLE;
import static org.mmlab.mm.internal.Kpageflags.KPF_RESERVED;
import static org.mmlab.mm.internal.Kpageflags.KPF_SWAPBACKED;
import static org.mmlab.mm.internal.Kpageflags.KPF_THP;
import static org.mmlab.mm.internal.Kpageflags.KPF_UPTODATE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageFlags;

class KpageflagsTest {
    @TempDir
    Path dir;

    private static long bits(int... kpf) {
        long u = 0;
        for (int b : kpf) {
            u |= 1L << b;
        }
        return u;
    }

    private static long[] read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long[] flags = new long[buf.remaining() / Long.BYTES];
        buf.asLongBuffer().get(flags);
        return flags;
    }

    @Test
    void theFileHoldsOneLittleEndianU64PerPfnAndPfn0IsReserved() throws IOException {
        GuestMemory g = HandBuiltGuest.boot();
        Path file = dir.resolve("kpageflags");

        long written = Kpageflags.write(g, file);

        assertThat(written).isEqualTo(HandBuiltGuest.NR_PAGES);
        byte[] raw = Files.readAllBytes(file);
        assertThat(raw).hasSize(8 * HandBuiltGuest.NR_PAGES);
        // KPF_RESERVED is bit 32: the low bit of the fifth byte, little-endian
        assertThat(new byte[] {raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]})
                .containsExactly(0, 0, 0, 0, 1, 0, 0, 0);
        long[] flags = read(file);
        for (int pfn = 0; pfn < GuestMemory.RESERVED_LOW_PAGES; pfn++) {
            assertThat(flags[pfn]).as("pfn %d", pfn).isEqualTo(bits(KPF_RESERVED));
        }
    }

    @Test
    void everyPageOfAFreeBlockIsBuddyAndItsAllocatedNeighboursAreNot() throws IOException {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.drainDma32(g);
        freeBlock(g, 4096, 9);
        freeBlock(g, 2064, 4);
        freeBlock(g, 300, 0);
        Path file = dir.resolve("kpageflags");

        Kpageflags.write(g, file);

        long[] flags = read(file);
        for (int pfn = 4096; pfn < 4096 + 512; pfn++) {
            assertThat(flags[pfn]).as("pfn %d", pfn).isEqualTo(bits(KPF_BUDDY));
        }
        for (int pfn = 2064; pfn < 2064 + 16; pfn++) {
            assertThat(flags[pfn]).as("pfn %d", pfn).isEqualTo(bits(KPF_BUDDY));
        }
        assertThat(flags[300]).isEqualTo(bits(KPF_BUDDY));
        for (int pfn : new int[] {299, 301, 2063, 2080, 4095, 4608}) {
            assertThat(flags[pfn]).as("allocated pfn %d", pfn).isZero();
        }
        // the boot blocks of ZONE_Normal are free from head to last tail page
        for (int pfn = HandBuiltGuest.DMA32_END; pfn < HandBuiltGuest.NR_PAGES; pfn++) {
            assertThat(flags[pfn]).as("pfn %d", pfn).isEqualTo(bits(KPF_BUDDY));
        }
    }

    @Test
    void pageTablesBalloonedAnonAndThpPagesShowTheirKernelBits() {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.Populated p = HandBuiltGuest.populate(g);
        g.lruvec.add(p.thp);
        long anon = bits(KPF_UPTODATE, KPF_LRU, KPF_MMAP, KPF_ANON, KPF_SWAPBACKED);

        assertThat(Kpageflags.flagsOf(g, p.pageTable)).isEqualTo(bits(KPF_PGTABLE));
        for (int pfn : p.offline) {
            assertThat(Kpageflags.flagsOf(g, pfn)).isEqualTo(bits(KPF_OFFLINE));
        }
        for (int pfn : p.anon) {
            assertThat(Kpageflags.flagsOf(g, pfn)).isEqualTo(anon);
        }
        // a tail page reports its folio's flags, and that it is a tail
        assertThat(Kpageflags.flagsOf(g, p.thp)).isEqualTo(anon | bits(KPF_COMPOUND_HEAD, KPF_THP));
        for (int pfn = p.thp + 1; pfn < p.thp + (1 << Mm.PAGEBLOCK_ORDER); pfn++) {
            assertThat(Kpageflags.flagsOf(g, pfn)).as("tail pfn %d", pfn).isEqualTo(anon | bits(KPF_COMPOUND_TAIL, KPF_THP));
        }
    }

    @Test
    void aSmallAnonFolioIsAThpTooLikeAnyLargeRmappableFolio() {
        GuestMemory g = HandBuiltGuest.boot();
        int head = g.allocPages(org.mmlab.mm.Gfp.GFP_HIGHUSER_MOVABLE | org.mmlab.mm.Gfp.__GFP_COMP, 2);
        g.map.mapping[head] = (1 << 2) | MemMap.PAGE_MAPPING_ANON;

        assertThat(Kpageflags.flagsOf(g, head)).isEqualTo(bits(KPF_ANON, KPF_COMPOUND_HEAD, KPF_THP));
        assertThat(Kpageflags.flagsOf(g, head + 3)).isEqualTo(bits(KPF_ANON, KPF_COMPOUND_TAIL, KPF_THP));
        // a compound page that no process maps (a driver's, a balloon's 2 MiB page) is not a THP
        int kernelCompound = g.allocPages(org.mmlab.mm.Gfp.GFP_KERNEL | org.mmlab.mm.Gfp.__GFP_COMP, 1);
        assertThat(Kpageflags.flagsOf(g, kernelCompound + 1)).isEqualTo(bits(KPF_COMPOUND_TAIL));
    }

    @Test
    void theFileAgreesWithFlagsOfForEveryPfnAndItsBuddyPagesAreTheFreePages() throws IOException {
        GuestMemory g = HandBuiltGuest.boot();
        HandBuiltGuest.Populated p = HandBuiltGuest.populate(g);
        g.map.setFlag(p.anon[0], PageFlags.PG_locked);
        Path file = dir.resolve("kpageflags");

        Kpageflags.write(g, file);

        long[] flags = read(file);
        long buddy = 0;
        for (int pfn = 0; pfn < flags.length; pfn++) {
            assertThat(flags[pfn]).as("pfn %d", pfn).isEqualTo(Kpageflags.flagsOf(g, pfn));
            if ((flags[pfn] & bits(KPF_BUDDY)) != 0) {
                buddy++;
            }
        }
        assertThat(buddy).isEqualTo(g.freePages());
        assertThat(flags[p.anon[0]] & 1).as("KPF_LOCKED").isEqualTo(1);
    }

    @Test
    void aGuestLargerThanOneWriteBatchIsWrittenWhole() throws IOException {
        GuestMemory g = new GuestMemory(MmConfig.parse("1G", "512M", "tag", false, false));
        int pfn = g.allocPages(org.mmlab.mm.Gfp.GFP_KERNEL, 0);
        HandBuiltGuest.makePageTable(g, pfn);
        Path file = dir.resolve("kpageflags");

        long written = Kpageflags.write(g, file);

        assertThat(written).isEqualTo(262144);
        assertThat(Files.size(file)).isEqualTo(8L * 262144);
        long[] flags = read(file);
        assertThat(flags[pfn]).isEqualTo(bits(KPF_PGTABLE));
        assertThat(flags[262143]).isEqualTo(bits(KPF_BUDDY));
        assertThat(flags[65536 + 100]).isEqualTo(Kpageflags.flagsOf(g, 65536 + 100));
    }
}
