package org.mmlab.mm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.GuestPages.VmcoreWritten;

/**
 * The vmcore as a dump tool reads it: the ELF header and program headers, the VMCOREINFO note, the page
 * tables a virtual read walks, struct pages at the declared offsets with the declared values, and RAM
 * pages from the content model, PageOffline ones left unread unless naive.
 */
class VmcoreWriterTest {
    @TempDir
    Path dir;

    /** The vmcore of a 64 MiB guest with pfns offline[] inflated (PageOffline, held by host). */
    private static final class Guest {
        final MmCore core = HostFramesTest.boot();
        final GuestMemory g = core.guest();
        final HostFramesTest.Host host = new HostFramesTest.Host(false);
        final int[] offline = new int[8];
        final int user;

        Guest() {
            for (int i = 0; i < offline.length; i++) {
                offline[i] = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
                core.writePage(offline[i], 0x5eed + i);
                g.map.setType(offline[i], PageType.OFFLINE);
                core.hostDiscardFrame(offline[i], host);
            }
            user = core.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            core.writePage(user, 0x1234_5678_9abcL);
        }
    }

    private static ByteBuffer read(Path f) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Program header i: type, offset, vaddr, paddr, filesz, memsz. */
    private static long[] phdr(ByteBuffer b, int i) {
        int at = VmcoreWriter.EHDR_SIZE + i * VmcoreWriter.PHDR_SIZE;
        return new long[] {b.getInt(at), b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24), b.getLong(at + 32),
            b.getLong(at + 40)};
    }

    private static Map<String, String> vmcoreinfo(ByteBuffer b) {
        long[] note = phdr(b, 0);
        int at = (int) note[1];
        int namesz = b.getInt(at);
        int descsz = b.getInt(at + 4);
        byte[] name = new byte[namesz - 1];
        b.get(at + 12, name);
        assertThat(new String(name, StandardCharsets.US_ASCII)).isEqualTo("VMCOREINFO");
        assertThat(b.getInt(at + 8)).as("n_type").isZero();
        byte[] desc = new byte[descsz];
        b.get(at + 12 + (int) VmcoreWriter.align(namesz, 4), desc);
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : new String(desc, StandardCharsets.US_ASCII).split("\n")) {
            m.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return m;
    }

    /** The file offset of a physical address, through the PT_LOADs. */
    private static int fileOffset(ByteBuffer b, long paddr) {
        for (int i = 1; i < 3; i++) {
            long[] p = phdr(b, i);
            if (paddr >= p[3] && paddr < p[3] + p[4]) {
                return (int) (p[1] + paddr - p[3]);
            }
        }
        throw new AssertionError("no PT_LOAD holds " + Long.toHexString(paddr));
    }

    /** vtop4_x86_64(): a 4-level walk from init_top_pgt (1 GiB pages only, as the lab's tables have). */
    private static long vtop(ByteBuffer b, Map<String, String> info, long vaddr) {
        long physBase = Long.parseLong(info.get("NUMBER(phys_base)"));
        long pgd = Long.parseUnsignedLong(info.get("SYMBOL(init_top_pgt)"), 16) - VmcoreLayout.START_KERNEL_MAP + physBase;
        long pgdEntry = b.getLong(fileOffset(b, pgd) + 8 * VmcoreWriter.pgdIndex(vaddr));
        assertThat(pgdEntry & 1).as("PGD entry present").isEqualTo(1);
        long pudEntry = b.getLong(fileOffset(b, pgdEntry & ~0xfffL) + 8 * VmcoreWriter.pudIndex(vaddr));
        assertThat(pudEntry & 0x81).as("PUD entry present, 1 GiB page").isEqualTo(0x81);
        return (pudEntry & ~0xfffL & ~((1L << 30) - 1)) + (vaddr & ((1L << 30) - 1));
    }

    @Test
    void theFileIsAnElf64X8664CoreWithItsProgramHeadersRightAfterTheElfHeader() throws IOException {
        Guest guest = new Guest();
        Path f = dir.resolve("vmcore");

        VmcoreWritten r = VmcoreWriter.write(guest.g, f, false, false);

        ByteBuffer b = read(f);
        assertThat(r.bytes()).isEqualTo(Files.size(f));
        assertThat(new byte[] {b.get(0), b.get(1), b.get(2), b.get(3), b.get(4), b.get(5)})
                .containsExactly(0x7f, 'E', 'L', 'F', 2, 1);
        assertThat(b.getShort(16)).as("e_type").isEqualTo((short) VmcoreWriter.ET_CORE);
        assertThat(b.getShort(18)).as("e_machine").isEqualTo((short) VmcoreWriter.EM_X86_64);
        assertThat(b.getLong(32)).as("e_phoff").isEqualTo(64);
        assertThat(b.getShort(56)).as("e_phnum").isEqualTo((short) 3);
        VmcoreLayout l = VmcoreLayout.of(guest.g.nrPages());
        long[] ram = phdr(b, 1);
        long[] data = phdr(b, 2);
        assertThat(phdr(b, 0)[0]).isEqualTo(VmcoreWriter.PT_NOTE);
        assertThat(ram).containsExactly(VmcoreWriter.PT_LOAD, ram[1], VmcoreLayout.PAGE_OFFSET, 0,
                64L << 20, 64L << 20);
        assertThat(ram[1] % Mm.PAGE_SIZE).isZero();
        assertThat(data).containsExactly(VmcoreWriter.PT_LOAD, ram[1] + (64L << 20), VmcoreLayout.PAGE_OFFSET + (1L << 30),
                1L << 30, l.dataBytes(), l.dataBytes());
        // mem_map covers every PFN up to the data's end: 16384 RAM pages, the hole, and the data itself
        assertThat((long) (l.dataPages() - VmcoreLayout.MEM_MAP) * Mm.PAGE_SIZE).isGreaterThanOrEqualTo(l.maxPfn() * 64);
    }

    @Test
    void vmcoreinfoDeclaresTheKeysMakedumpfileCannotDoWithoutWithTheKernelsValues() throws IOException {
        Guest guest = new Guest();
        Path f = dir.resolve("vmcore");
        VmcoreWriter.write(guest.g, f, false, false);

        Map<String, String> info = vmcoreinfo(read(f));

        assertThat(info).containsEntry("OSRELEASE", "6.18.0-mmlab").containsEntry("PAGESIZE", "4096")
                .containsEntry("SIZE(page)", "64").containsEntry("OFFSET(page.flags)", "0")
                .containsEntry("OFFSET(page._refcount)", "52").containsEntry("OFFSET(page.mapping)", "24")
                .containsEntry("OFFSET(page._mapcount)", "48").containsEntry("OFFSET(page.private)", "40")
                .containsEntry("OFFSET(page.lru)", "8").containsEntry("OFFSET(uts_namespace.name)", "0")
                .containsEntry("LENGTH(zone.free_area)", "11").containsEntry("NUMBER(PG_head_mask)", "64")
                // v6.18: PGTY_buddy (0xf0) and PGTY_offline (0xf1) << 24, printed as the C int they are
                .containsEntry("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "-268435456")
                .containsEntry("NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-251658240")
                .containsKeys("SYMBOL(init_uts_ns)", "SYMBOL(mem_map)", "SYMBOL(init_top_pgt)", "NUMBER(phys_base)")
                .doesNotContainKey("NUMBER(PG_hwpoison)");
        assertThat(info.keySet()).noneMatch(k -> k.startsWith("SYMBOL(") && info.get(k).equals("0"));
    }

    @Test
    void symbolsReachInitUtsNsAndMemMapThroughThePageTables() throws IOException {
        Guest guest = new Guest();
        Path f = dir.resolve("vmcore");
        VmcoreWriter.write(guest.g, f, false, false);
        ByteBuffer b = read(f);
        Map<String, String> info = vmcoreinfo(b);

        long uts = vtop(b, info, Long.parseUnsignedLong(info.get("SYMBOL(init_uts_ns)"), 16));
        byte[] release = new byte[Vmcoreinfo.OSRELEASE.length()];
        b.get(fileOffset(b, uts) + 2 * 65, release); // new_utsname: sysname, nodename, release
        assertThat(new String(release, StandardCharsets.US_ASCII)).isEqualTo(info.get("OSRELEASE"));

        long memMapPtr = vtop(b, info, Long.parseUnsignedLong(info.get("SYMBOL(mem_map)"), 16));
        long memMap = b.getLong(fileOffset(b, memMapPtr));
        assertThat(vtop(b, info, memMap)).isEqualTo(memMap - VmcoreLayout.PAGE_OFFSET);
    }

    @Test
    void structPagesSayWhichPagesAreFreeOfflineOrUsedAsTheKernelWouldAtTheDeclaredOffsets() throws IOException {
        Guest guest = new Guest();
        Path f = dir.resolve("vmcore");
        VmcoreWriter.write(guest.g, f, false, false);
        ByteBuffer b = read(f);
        Map<String, String> info = vmcoreinfo(b);
        long memMap = b.getLong(fileOffset(b, vtop(b, info, Long.parseUnsignedLong(info.get("SYMBOL(mem_map)"), 16))));
        int memMapAt = fileOffset(b, memMap - VmcoreLayout.PAGE_OFFSET);

        int offline = guest.offline[0];
        int page = memMapAt + 64 * offline;
        assertThat(b.getInt(page + 48)).isEqualTo(Integer.parseInt(info.get("NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)")));
        assertThat(b.getInt(page + 52)).as("_refcount").isEqualTo(1);
        int buddy = 0;
        for (int pfn = 0; pfn < guest.g.nrPages(); pfn++) {
            if (guest.g.map.hasType(pfn, PageType.BUDDY)) {
                buddy = pfn;
            }
        }
        page = memMapAt + 64 * buddy;
        assertThat(b.getInt(page + 48)).isEqualTo(Integer.parseInt(info.get("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)")));
        assertThat(b.getLong(page + 40)).as("private: the order").isEqualTo(guest.g.map.pagePrivate[buddy]);
        assertThat(b.getLong(page + 8) & 1).as("lru.next, not a compound_head").isZero();
        page = memMapAt + 64 * guest.user;
        assertThat(b.getInt(page + 48)).as("_mapcount of an unmapped page").isEqualTo(-1);
        assertThat(b.getLong(memMapAt + 64 * 0)).as("pfn 0: PG_reserved").isEqualTo(1L << 13);
        long holePfn = (64L << 20) / Mm.PAGE_SIZE;
        assertThat(b.getLong(memMapAt + 64 * (int) holePfn)).as("the hole after RAM: reserved").isEqualTo(1L << 13);
    }

    @Test
    void byDefaultOfflinePagesAreNotReadAndNoHostBacksAFrameForTheDump() throws IOException {
        Guest guest = new Guest();
        Path f = dir.resolve("vmcore");

        VmcoreWritten r = VmcoreWriter.write(guest.g, f, false, false);

        assertThat(r.offlineSkipped()).isEqualTo(guest.offline.length);
        assertThat(r.pagesRead()).isEqualTo(guest.g.nrPages() - guest.offline.length);
        assertThat(r.backed()).isZero();
        assertThat(guest.g.hostFrames.backedForDumps()).isZero();
        ByteBuffer b = read(f);
        int ramAt = (int) phdr(b, 1)[1];
        assertThat(b.getLong(ramAt + guest.user * Mm.PAGE_SIZE)).as("a page's first word: its tag")
                .isEqualTo(0x1234_5678_9abcL);
        assertThat(b.getLong(ramAt + guest.offline[0] * Mm.PAGE_SIZE + 8)).as("an offline page: a hole").isZero();
    }

    @Test
    void naivelyEveryPageIsReadAndTheHostBacksEveryFrameItHeldWithoutDataLoss() throws IOException {
        Guest guest = new Guest();
        Path f = dir.resolve("vmcore");

        VmcoreWritten r = VmcoreWriter.write(guest.g, f, true, false);

        assertThat(r.offlineSkipped()).isZero();
        assertThat(r.pagesRead()).isEqualTo(guest.g.nrPages());
        assertThat(r.backedByHost()).containsExactly(Map.entry("test host", (long) guest.offline.length));
        assertThat(guest.g.hostFrames.backedForDumps()).isEqualTo(guest.offline.length);
        assertThat(guest.g.hostFrames.held()).as("the balloon still has them").isEqualTo(guest.offline.length);
        assertThat(guest.g.hostFrames.dataLoss()).isZero();
        assertThat(guest.host.accesses).isEmpty();
    }

    @Test
    void aFileThatExistsIsReplacedOnlyWhenAsked() throws IOException {
        Guest guest = new Guest();
        Path f = Files.writeString(dir.resolve("vmcore"), "keep");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VmcoreWriter.write(guest.g, f, false, false))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readString(f)).isEqualTo("keep");
        VmcoreWriter.write(guest.g, f, false, true);
        assertThat(Files.size(f)).isGreaterThan(64L << 20);
    }
}
