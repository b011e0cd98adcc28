package org.mmlab.mm.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.Mm;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.GuestPages.VmcoreWritten;

/**
 * Models what kdump gives a dump tool (kernel/crash_core.c crash_prepare_elf64_headers() and
 * fs/proc/vmcore.c of v6.18): the crashed guest as an ELF64 core file, a PT_NOTE with the VMCOREINFO note
 * and one PT_LOAD per memory range (guest RAM, then the lab's kernel data: {@link VmcoreLayout}), written
 * with the machine stopped. Each RAM page is its content model's 4 KiB.
 *
 * <p>Seed 004's rule (v5.0, "mm/kdump: allow to exclude pages that are logically offline"): a PageOffline
 * page's content is stale and must not be read or dumped, because reading it makes the hypervisor back
 * the frame again. By default the writer skips such pages (their range stays a hole in the file, zeros)
 * without touching them; with {@code naive} it reads every page, as dump tools did before 2019, and every
 * frame a host holds that the dump read is a frame the host had to back again: the result counts them.
 */
public final class VmcoreWriter {
    static final int EM_X86_64 = 62;
    static final int ET_CORE = 4;
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final int EHDR_SIZE = 64;
    static final int PHDR_SIZE = 56;
    static final String VMCOREINFO = "VMCOREINFO";
    /** _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY: a page-table entry pointing at the next level. */
    static final long PAGE_TABLE = 0x63;
    /** The same with _PAGE_PSE: a 1 GiB page in a PUD. */
    static final long PAGE_HUGE_1G = 0xe3;
    /** Pages per write (1 MiB). */
    private static final int BATCH = 256;

    private VmcoreWriter() {
    }

    /** Writes the guest's vmcore to file, replacing it if replace, creating it otherwise. */
    public static VmcoreWritten write(GuestMemory g, Path file, boolean naive, boolean replace) throws IOException {
        try {
            return g.stopMachine(() -> {
                try (FileChannel ch = replace ? FileChannel.open(file, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                        : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    return write(g, ch, naive, System.currentTimeMillis() / 1000);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static VmcoreWritten write(GuestMemory g, FileChannel ch, boolean naive, long crashTime) throws IOException {
        VmcoreLayout l = VmcoreLayout.of(g.nrPages());
        byte[] note = note(Vmcoreinfo.text(l, crashTime));
        long noteOffset = EHDR_SIZE + 3L * PHDR_SIZE;
        long ramOffset = align(noteOffset + note.length, Mm.PAGE_SIZE);
        long dataOffset = ramOffset + l.ramBytes();
        ByteBuffer head = ByteBuffer.allocate((int) ramOffset).order(ByteOrder.LITTLE_ENDIAN);
        elfHeader(head, 3);
        phdr(head, PT_NOTE, 0, noteOffset, 0, 0, note.length);
        phdr(head, PT_LOAD, 7, ramOffset, VmcoreLayout.directMap(0), 0, l.ramBytes());
        phdr(head, PT_LOAD, 7, dataOffset, VmcoreLayout.directMap(l.dataBase()), l.dataBase(), l.dataBytes());
        head.put(note);
        head.clear();
        writeFully(ch, head, 0);
        VmcoreWritten r = writeRam(g, ch, ramOffset, naive);
        writeData(g, l, ch, dataOffset);
        long end = dataOffset + l.dataBytes();
        if (ch.size() < end) { // the rest of mem_map's last page, zeros
            writeFully(ch, ByteBuffer.allocate(1), end - 1);
        }
        return new VmcoreWritten(end, r.ramPages(), r.pagesRead(), r.offlineSkipped(),
                r.backedByHost());
    }

    private static VmcoreWritten writeRam(GuestMemory g, FileChannel ch, long ramOffset, boolean naive) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(BATCH * Mm.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Long> backed = new TreeMap<>();
        long read = 0;
        long skipped = 0;
        int batchStart = 0;
        int n = g.nrPages();
        for (int pfn = 0; pfn < n; pfn++) {
            if (!naive && g.map.hasType(pfn, PageType.OFFLINE)) {
                skipped++; // not read: the hole keeps its zeros
                batchStart = flush(ch, buf, ramOffset, batchStart, pfn + 1);
                continue;
            }
            Hypervisor host = g.hostFrames.dumpRead(pfn);
            if (host != null) {
                backed.merge(host.name(), 1L, Long::sum);
            }
            g.content.render(pfn, buf);
            read++;
            if (!buf.hasRemaining()) {
                batchStart = flush(ch, buf, ramOffset, batchStart, pfn + 1);
            }
        }
        flush(ch, buf, ramOffset, batchStart, n);
        return new VmcoreWritten(0, n, read, skipped, backed);
    }

    /** Writes the pages rendered since batchStart; returns where the next batch starts. */
    private static int flush(FileChannel ch, ByteBuffer buf, long ramOffset, int batchStart, int next)
            throws IOException {
        if (buf.position() > 0) {
            buf.flip();
            writeFully(ch, buf, ramOffset + (long) batchStart * Mm.PAGE_SIZE);
            buf.clear();
        }
        return next;
    }

    /** Page tables, init_uts_ns, the mem_map pointer, then mem_map: every struct page up to the data's end. */
    private static void writeData(GuestMemory g, VmcoreLayout l, FileChannel ch, long dataOffset) throws IOException {
        ByteBuffer pages = ByteBuffer.allocate(VmcoreLayout.MEM_MAP * Mm.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        pages.putLong(VmcoreLayout.PGD * Mm.PAGE_SIZE + 8 * pgdIndex(VmcoreLayout.PAGE_OFFSET),
                l.dataPage(VmcoreLayout.PUD_DIRECT) | PAGE_TABLE);
        pages.putLong(VmcoreLayout.PGD * Mm.PAGE_SIZE + 8 * pgdIndex(VmcoreLayout.START_KERNEL_MAP),
                l.dataPage(VmcoreLayout.PUD_TEXT) | PAGE_TABLE);
        for (int i = 0; i < l.directMapGiB(); i++) {
            pages.putLong(VmcoreLayout.PUD_DIRECT * Mm.PAGE_SIZE + 8 * i, ((long) i << 30) | PAGE_HUGE_1G);
        }
        pages.putLong(VmcoreLayout.PUD_TEXT * Mm.PAGE_SIZE + 8 * pudIndex(VmcoreLayout.START_KERNEL_MAP),
                l.dataBase() | PAGE_HUGE_1G);
        pages.position(VmcoreLayout.UTS * Mm.PAGE_SIZE + Vmcoreinfo.OFFSET_UTS_NAMESPACE_NAME);
        for (String field : new String[] {"Linux", "mmlab", Vmcoreinfo.OSRELEASE, "#1 SMP PREEMPT_DYNAMIC", "x86_64",
            "(none)"}) {
            byte[] b = field.getBytes(StandardCharsets.US_ASCII);
            pages.put(b).position(pages.position() + 65 - b.length); // char[__NEW_UTS_LEN + 1]
        }
        long memMap = VmcoreLayout.directMap(l.dataPage(VmcoreLayout.MEM_MAP));
        pages.putLong(VmcoreLayout.MEM_MAP_PTR * Mm.PAGE_SIZE, memMap);
        pages.clear();
        writeFully(ch, pages, dataOffset);

        ByteBuffer buf = ByteBuffer.allocateDirect(BATCH * Mm.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long at = dataOffset + (long) VmcoreLayout.MEM_MAP * Mm.PAGE_SIZE;
        long maxPfn = l.maxPfn();
        for (long pfn = 0; pfn < maxPfn; pfn++) {
            if (pfn < l.ramPages()) {
                StructPage.render(g.map, (int) pfn, memMap, buf);
            } else {
                StructPage.renderReserved(buf);
            }
            if (!buf.hasRemaining()) {
                buf.flip();
                at += writeFully(ch, buf, at);
                buf.clear();
            }
        }
        buf.flip();
        writeFully(ch, buf, at);
    }

    static int pgdIndex(long vaddr) {
        return (int) ((vaddr >>> 39) & 511);
    }

    static int pudIndex(long vaddr) {
        return (int) ((vaddr >>> 30) & 511);
    }

    private static void elfHeader(ByteBuffer b, int phnum) {
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0});
        b.putLong(0);
        b.putShort((short) ET_CORE).putShort((short) EM_X86_64).putInt(1);
        b.putLong(0); // e_entry
        b.putLong(EHDR_SIZE); // e_phoff: right after this header, where makedumpfile expects them
        b.putLong(0); // e_shoff
        b.putInt(0); // e_flags
        b.putShort((short) EHDR_SIZE).putShort((short) PHDR_SIZE).putShort((short) phnum);
        b.putShort((short) 0).putShort((short) 0).putShort((short) 0);
    }

    private static void phdr(ByteBuffer b, int type, int flags, long offset, long vaddr, long paddr, long size) {
        b.putInt(type).putInt(flags).putLong(offset).putLong(vaddr).putLong(paddr).putLong(size).putLong(size)
                .putLong(0);
    }

    /** An ELF note named VMCOREINFO (type 0) holding text, name and descriptor each padded to 4 bytes. */
    static byte[] note(String text) {
        byte[] name = (VMCOREINFO + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] desc = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(12 + (int) align(name.length, 4) + (int) align(desc.length, 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(name.length).putInt(desc.length).putInt(0);
        b.put(name).position(12 + (int) align(name.length, 4));
        b.put(desc);
        return b.array();
    }

    static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    private static int writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        int n = b.remaining();
        long pos = at;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
        return n;
    }
}
