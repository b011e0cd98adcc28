package org.mmlab.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.function.IntPredicate;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.PageFlags;
import org.mmlab.mm.PageType;
import org.mmlab.mm.admin.WorkloadControl;
import org.mmlab.virtio.VirtioBalloons;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.annotation.config.WithFactoryConfiguration;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * mm:free in the running lab (issue 10's reproducers): a page a balloon holds or a process maps is
 * not the shell's to free; it is refused with whose it is, and mm:check stays OK. Device 0 is the
 * class's configuration (osgi-test's annotation makes it before the tests and deletes it after).
 */
@ExtendWith(SettledLab.class)
@WithFactoryConfiguration(factoryPid = VirtioBalloons.FACTORY_PID, name = "0", location = "?")
@ExtendWith(ServiceExtension.class)
class MmFreeInFelixTest {
    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    CommandProcessor processor;

    @InjectService(timeout = VirtioInFelixTest.WAIT_MS)
    VirtioBalloons virtio;

    @RegisterExtension
    final FreshGuestSetup guest = new FreshGuestSetup();

    GogoSession gogo;

    @BeforeEach
    void deviceZeroOnTheFreshGuest() throws Exception {
        gogo = new GogoSession(processor);
        Await.value(virtio.probed("0"), "device 0 probed");
    }

    @AfterEach
    void stopTheWorkloadAndCheck() {
        try {
            guest.workload().stop();
            assertThat(guest.check()).isEqualTo("mm:check: OK");
        } finally {
            gogo.close();
        }
    }

    @InjectService(cardinality = 0)
    ServiceAware<MemoryManager> memoryManagers;

    /** The guest the shell runs on now: FreshGuest rebooted it after the services were injected. */
    private MemoryManager memoryManager() throws InterruptedException {
        MemoryManager mm = memoryManagers.waitForService(VirtioInFelixTest.WAIT_MS);
        assertThat(mm).as("the MemoryManager service").isNotNull();
        return mm;
    }

    private static int first(MemoryManager mm, IntPredicate test) {
        for (int pfn = 0; pfn < mm.nrPages(); pfn++) {
            if (test.test(pfn)) {
                return pfn;
            }
        }
        throw new AssertionError("no such page");
    }

    /** mm:free PFN 0 fails with one line saying these, and mm:check stays OK. */
    private void assertRefused(int pfn, String... says) throws Exception {
        Throwable thrown = catchThrowable(() -> gogo.run(String.format("mm:free %#x 0", pfn)));

        assertThat(thrown).as("mm:free %#x 0", pfn).isNotNull();
        Throwable root = GogoSession.rootCause(thrown);
        assertThat(root).isInstanceOf(IllegalArgumentException.class);
        assertThat(root.getMessage()).doesNotContain("\n").contains(String.format("pfn %#x is not mm:alloc's to free",
                pfn)).contains(says);
        assertThat(guest.check()).isEqualTo("mm:check: OK");
    }

    @Test
    void aPageInTheBalloonIsRefusedNamingTheBalloonAndItsHost() throws Exception {
        Await.value(virtio.setTarget("0", 1024), "device 0 at 4 MiB");
        MemoryManager mm = memoryManager();
        int pfn = first(mm, p -> mm.pageType(p) == PageType.OFFLINE);

        assertRefused(pfn, "it is a balloon page (PageOffline", "its frame is held by virtio-balloon host 0");

        assertThat(mm.pageType(pfn)).isEqualTo(PageType.OFFLINE);
        Await.value(virtio.setTarget("0", 0), "device 0 empty");
    }

    @Test
    void aPageAProcessMapsIsRefusedNamingTheProcess() throws Exception {
        guest.workload().fragment(1, WorkloadControl.DEFAULT_FRAGMENT_PROCESSES, WorkloadControl.DEFAULT_TARGET_PERCENT);
        MemoryManager mm = memoryManager();
        int pfn = first(mm, p -> mm.testPageFlag(p, PageFlags.PG_lru));

        assertRefused(pfn, "it is a user page mapped by pid ", "of the workload");

        assertThat(mm.pageCount(pfn)).isEqualTo(1);
    }
}
