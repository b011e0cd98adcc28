package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.mmlab.itest.MmOutput.lastLine;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The mm commands as a user sees them in the shell: what each prints, and that a bad argument is
 * refused with a message and changes nothing.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class MmCommandsTest {

    private static final Pattern MEM_FREE = Pattern.compile("(?m)^MemFree:\\s+(\\d+) kB$");
    private static final Pattern PFN = Pattern.compile("(?i)\\bpfn\\b\\s*[:=]?\\s*(0x[0-9a-f]+|\\d+)");

    @InjectService(timeout = 10_000)
    CommandProcessor processor;

    @InjectBundleContext
    BundleContext context;

    ServiceTracker<Object, Object> mmCommands;
    GogoSession gogo;

    @BeforeEach
    void openSessionOnceTheMmCommandsAreThere() throws Exception {
        mmCommands = GogoSession.commandServices(context, "mm");
        assertThat(mmCommands.waitForService(10_000)).as("the mm command service").isNotNull();
        gogo = new GogoSession(processor);
    }

    @AfterEach
    void closeSession() {
        gogo.close();
        mmCommands.close();
    }

    @Test
    void meminfoPrintsMemTotalAndMemFreeInKilobytes() throws Exception {
        String meminfo = gogo.run("mm:meminfo");

        assertThat(meminfo).containsPattern("(?m)^MemTotal:\\s+\\d+ kB$").containsPattern(MEM_FREE);
    }

    @Test
    void buddyinfoPrintsElevenFreeCountsForDma32AndNormal() throws Exception {
        String buddyinfo = gogo.run("mm:buddyinfo");

        for (String zone : List.of("Node 0, zone    DMA32 ", "Node 0, zone   Normal ")) {
            String line = buddyinfo.lines().filter(l -> l.startsWith(zone)).findFirst()
                    .orElseGet(() -> fail("no line starting '%s' in%n%s", zone, buddyinfo));
            String[] counts = line.substring(zone.length()).trim().split("\\s+");
            assertThat(counts).as(line).hasSize(11).allMatch(c -> c.matches("\\d+"));
        }
    }

    @Test
    void pagetypeinfoStartsWithThePageblockOrder() throws Exception {
        assertThat(gogo.run("mm:pagetypeinfo")).startsWith("Page block order: 9");
    }

    @Test
    void vmstatCountsTheFreePages() throws Exception {
        assertThat(gogo.run("mm:vmstat")).containsPattern("(?m)^nr_free_pages \\d+$");
    }

    @Test
    void checkOfAQuietLabEndsWithOk() throws Exception {
        assertThat(lastLine(gogo.run("mm:check"))).isEqualTo("mm:check: OK");
    }

    @Test
    void anOrderThreeBlockComesBackWhenFreed() throws Exception {
        long before = memFreeKb();

        long pfn = pfnIn(gogo.run("mm:alloc 3"));
        assertThat(pfn % 8).as("an order-3 block is aligned to 8 pages; pfn %d", pfn).isZero();
        assertThat(memFreeKb()).isLessThan(before);

        gogo.run("mm:free " + pfn + " 3");
        assertThat(memFreeKb()).isEqualTo(before);
    }

    @Test
    void pageZeroPrintsItsRefcount() throws Exception {
        assertThat(gogo.run("mm:page 0").lines()).anyMatch(line -> line.startsWith("page: refcount:"));
    }

    @ParameterizedTest(name = "{0} is refused, names {1}, and changes nothing")
    @CsvSource({
        "mm:alloc 11,  11",  // above MAX_ORDER 10
        "mm:page -1,   -1",  // no such PFN
        "mm:free 0 0,  0",   // PFN 0 is not allocated
    })
    void aBadArgumentIsRefusedWithAMessageAndChangesNothing(String command, String argument) throws Exception {
        long before = memFreeKb();

        Throwable thrown = catchThrowable(() -> gogo.run(command));

        assertThat(thrown).as(command).isNotNull();
        Throwable root = GogoSession.rootCause(thrown);
        assertThat(root).isInstanceOf(IllegalArgumentException.class);
        assertThat(root.getMessage()).isNotBlank().contains(argument);
        assertThat(memFreeKb()).isEqualTo(before);
    }

    /** MemFree once mm:drain gave back the pages on the per-cpu lists, which MemFree leaves out. */
    private long memFreeKb() throws Exception {
        gogo.run("mm:drain");
        String meminfo = gogo.run("mm:meminfo");
        Matcher m = MEM_FREE.matcher(meminfo);
        assertThat(m.find()).as("MemFree line in%n%s", meminfo).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** The PFN `mm:alloc` printed: after a "pfn" label, or the whole output if it is one number. */
    private static long pfnIn(String output) {
        Matcher labelled = PFN.matcher(output);
        String number = labelled.find() ? labelled.group(1) : output.trim();
        try {
            return number.startsWith("0x") ? Long.parseLong(number.substring(2), 16) : Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new AssertionError("no PFN in mm:alloc output: " + output, e);
        }
    }
}
