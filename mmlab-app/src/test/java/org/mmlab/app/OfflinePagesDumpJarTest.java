package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004 end to end: the four balloon drivers of the lab (virtio, VMware, Hyper-V, XEN) each balloon
 * 128 MiB of a 1 GiB guest at once; the guest's kdump vmcore then goes through Debian's real makedumpfile,
 * whose -d 31 must exclude exactly the ballooned pages as offline (what balloon:list and the drivers count)
 * and exactly mm:meminfo's MemFree as free pages, while -d 0 excludes nothing; the /proc/kpageflags
 * snapshot of the same guest has KPF_OFFLINE (bit 23, page-types' "o") on exactly those pages too.
 */
class OfflinePagesDumpJarTest {
    static final Path MAKEDUMPFILE = Path.of(System.getProperty("mmlab.makedumpfile", "/usr/bin/makedumpfile"));
    static final long BALLOON_PAGES = 32_768; // 128 MiB
    static final int KPF_OFFLINE = 23;

    @TempDir
    Path dir;

    @Test
    void makedumpfileExcludesTheFourDriversBalloonedPagesAsOfflineAndMemFreeAsFree() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(MAKEDUMPFILE), "no " + MAKEDUMPFILE + ": apt-get install makedumpfile");
        Path vmcore = dir.resolve("vmcore");
        Path kpageflags = dir.resolve("kpageflags");

        LabProcess.Run run = LabProcess.scripted(dir, "mmlab.commands=mm:config memorySize 1G; virtio:target 0 128M;"
                + " vmw:target 0 128M; hv:target 0 128M; xen:target 0 128M; balloon:list; vmw:devices; mm:meminfo;"
                + " mm:kpageflags " + kpageflags + "; mm:vmcore " + vmcore + "; mm:check");

        assertThat(run.exit()).as("stdout:%n%s%nstderr:%n%s", run.out(), run.err()).isZero();
        String out = run.out();
        assertThat(out).contains("left " + 4 * BALLOON_PAGES + " PageOffline pages unread; hosts backed 0 frames")
                .contains("mm:check: OK");
        long listed = balloonListPages(out) + vmw2mPages(out);
        assertThat(listed).as("balloon:list and vmw:devices").isEqualTo(4 * BALLOON_PAGES);
        long memFree = number(out, "(?m)^MemFree:\\s+(\\d+) kB") / 4;

        String full = makedumpfile(vmcore, 31);
        assertThat(number(full, "(?m)^\\s*Offline pages\\s*:\\s*0x([0-9a-f]+)", 16)).isEqualTo(listed);
        assertThat(number(full, "(?m)^\\s*Free pages\\s*:\\s*0x([0-9a-f]+)", 16)).isEqualTo(memFree);

        String none = makedumpfile(vmcore, 0);
        assertThat(number(none, "(?m)^\\s*Offline pages\\s*:\\s*0x([0-9a-f]+)", 16)).isZero();
        assertThat(number(none, "(?m)^\\s*Free pages\\s*:\\s*0x([0-9a-f]+)", 16)).isZero();

        assertThat(offlineInKpageflags(kpageflags)).as("KPF_OFFLINE pages").isEqualTo(listed);
    }

    /** makedumpfile --message-level 31 -d LEVEL: its report (stdout and stderr), once it succeeded. */
    private String makedumpfile(Path vmcore, int level) throws IOException, InterruptedException {
        Path out = dir.resolve("dump-d" + level);
        Path log = dir.resolve("makedumpfile-d" + level + ".txt");
        Process p = new ProcessBuilder(MAKEDUMPFILE.toString(), "--message-level", "31", "-d", Integer.toString(level),
                vmcore.toString(), out.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(LabProcess.TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("makedumpfile ends").isTrue();
        String report = Files.readString(log, UTF_8);
        assertThat(p.exitValue()).as(report).isZero();
        return report;
    }

    /** The PAGES and ISOLATED columns of balloon:list, summed over its devices. */
    private static long balloonListPages(String out) {
        long sum = 0;
        Matcher m = Pattern.compile("(?m)^\\d+\\s+\\S.*?\\s+(\\d+)\\s+(\\d+)\\s+\\S+-bundle").matcher(out);
        while (m.find()) {
            sum += Long.parseLong(m.group(1)) + Long.parseLong(m.group(2));
        }
        return sum;
    }

    /** VMware's 2 MiB pages, which it keeps off the balloon infrastructure, in 4 KiB pages (vmw:devices). */
    private static long vmw2mPages(String out) {
        return number(out, "(?m)^0\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d+)\\s") * 512;
    }

    private static long number(String text, String regex) {
        return number(text, regex, 10);
    }

    private static long number(String text, String regex, int radix) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in:%n%s", regex, text).isTrue();
        return Long.parseLong(m.group(1), radix);
    }

    /** What page-types -F FILE counts as "o" (offline): the entries with KPF_OFFLINE. */
    private static long offlineInKpageflags(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> flags = new ArrayList<>();
        while (b.remaining() >= Long.BYTES) {
            flags.add(b.getLong());
        }
        return flags.stream().filter(f -> (f >>> KPF_OFFLINE & 1) != 0).count();
    }
}
