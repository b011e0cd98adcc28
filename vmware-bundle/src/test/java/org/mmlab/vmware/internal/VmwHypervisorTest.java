package org.mmlab.vmware.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_BASIC_CMDS;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_BATCHED_CMDS;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_CAPABILITIES;
import static org.mmlab.vmware.internal.Protocol.VMW_BALLOON_SIGNALLED_WAKEUP_CMD;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmlab.mm.Gfp;
import org.mmlab.mm.Hypervisor;
import org.mmlab.mm.admin.CheckResult;
import org.mmlab.mm.internal.MmCheck;
import org.mmlab.mm.lab.ModuleCaller;
import org.mmlab.vmware.internal.Backdoor.Registers;

/** The protocol as the hypervisor answers it: every command, capability and status, through the backdoor. */
class VmwHypervisorTest {
    private final TestGuest g = new TestGuest();
    private final VmciDoorbell vmci = new VmciDoorbell(ModuleCaller.BUILT_IN);
    private final BatchPages batch = new BatchPages();
    private VmwHypervisor hv = hypervisor(VMW_BALLOON_CAPABILITIES, 1024);
    private Backdoor backdoor = new Backdoor(hv);

    private VmwHypervisor hypervisor(long offered, long target) {
        return new VmwHypervisor("t", g.mm, vmci, batch, offered, target, HostBehaviour.NORMAL);
    }

    private Registers cmd(int cmd, long arg1, long arg2) {
        return backdoor.inl(Protocol.VMW_BALLOON_HV_MAGIC, cmd, Protocol.VMW_BALLOON_HV_PORT, arg1, arg2);
    }

    private long start(long caps) {
        return cmd(Protocol.VMW_BALLOON_CMD_START, caps, 0).eax();
    }

    private int page(int order) {
        return g.mm.allocPages(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOWARN, order);
    }

    @Test
    void aWrongPortOrMagicReadsAllOnesAndReachesNoHypervisor() {
        assertThat(backdoor.inl(0x1234, Protocol.VMW_BALLOON_CMD_START, Protocol.VMW_BALLOON_HV_PORT, 0, 0))
                .isEqualTo(Backdoor.NOBODY);
        assertThat(backdoor.inl(Protocol.VMW_BALLOON_HV_MAGIC, Protocol.VMW_BALLOON_CMD_START, 0x5658, 0, 0))
                .isEqualTo(Backdoor.NOBODY);
        assertThat(hv.view().started()).isFalse();
    }

    @Test
    void startGrantsWhatBothSidesHaveAndAnOldHypervisorAnswersSuccessWithoutCapabilities() {
        Registers r = cmd(Protocol.VMW_BALLOON_CMD_START, VMW_BALLOON_CAPABILITIES, 0);
        assertThat(r.eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS_WITH_CAPABILITIES);
        assertThat(r.ecx()).isEqualTo(VMW_BALLOON_CAPABILITIES);

        hv = hypervisor(VMW_BALLOON_BASIC_CMDS | VMW_BALLOON_BATCHED_CMDS, 0);
        backdoor = new Backdoor(hv);
        r = cmd(Protocol.VMW_BALLOON_CMD_START, VMW_BALLOON_CAPABILITIES, 0);
        assertThat(r.ecx()).isEqualTo(VMW_BALLOON_BASIC_CMDS | VMW_BALLOON_BATCHED_CMDS);

        hv = hypervisor(VMW_BALLOON_BASIC_CMDS, 0);
        backdoor = new Backdoor(hv);
        assertThat(start(VMW_BALLOON_CAPABILITIES)).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(hv.view().capabilities()).isEqualTo(VMW_BALLOON_BASIC_CMDS);
    }

    @Test
    void everyCommandButStartAnswersResetUntilTheGuestStarts() {
        for (int cmd = Protocol.VMW_BALLOON_CMD_GET_TARGET; cmd <= Protocol.VMW_BALLOON_CMD_LAST; cmd++) {
            long expected = cmd == 5 ? Protocol.VMW_BALLOON_ERROR_CMD_INVALID : Protocol.VMW_BALLOON_ERROR_RESET;
            assertThat(cmd(cmd, 0, 0).eax()).as("command %d", cmd).isEqualTo(expected);
        }
        start(VMW_BALLOON_CAPABILITIES);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_GET_TARGET, 100, 0).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
    }

    @Test
    void commandFiveTheLastPlusOneAndCommandsBeyondTheCapabilitiesAreInvalid() {
        hv = hypervisor(VMW_BALLOON_BASIC_CMDS | VMW_BALLOON_BATCHED_CMDS, 1024);
        backdoor = new Backdoor(hv);
        start(VMW_BALLOON_CAPABILITIES);
        assertThat(cmd(5, 0, 0).eax()).isEqualTo(Protocol.VMW_BALLOON_ERROR_CMD_INVALID);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LAST + 1, 0, 0).eax()).isEqualTo(Protocol.VMW_BALLOON_ERROR_CMD_INVALID);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_2M_LOCK, 0, 0).eax())
                .as("no BATCHED_2M_CMDS").isEqualTo(Protocol.VMW_BALLOON_ERROR_CMD_INVALID);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_VMCI_DOORBELL_SET, 3, 1).eax())
                .as("no SIGNALLED_WAKEUP_CMD").isEqualTo(Protocol.VMW_BALLOON_ERROR_CMD_INVALID);
    }

    @Test
    void getTargetAndTheLockCommandsAnswerWithTheTargetAndGuestIdIsRecorded() {
        start(VMW_BALLOON_CAPABILITIES);
        Registers r = cmd(Protocol.VMW_BALLOON_CMD_GET_TARGET, g.mm.totalramPages(), 0);
        assertThat(r.ebx()).isEqualTo(1024);
        assertThat(hv.view().guestLimit()).isEqualTo(g.mm.totalramPages());
        hv.setTarget(2048);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, page(0), 1).ebx()).isEqualTo(2048);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_GUEST_ID, Protocol.VMW_BALLOON_GUEST_ID, 0).eax())
                .isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(hv.view().guestType()).isEqualTo(1);
    }

    /** Without 64_BIT_TARGET the target comes back in 32 bits. */
    @Test
    void aTargetBeyond32BitsComesBackWholeOnlyWith64BitTarget() {
        long huge = 1L << 33;
        hv.setTarget(huge);
        start(VMW_BALLOON_CAPABILITIES);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_GET_TARGET, 1, 0).ebx()).isEqualTo(huge);

        start(VMW_BALLOON_CAPABILITIES & ~Protocol.VMW_BALLOON_64_BIT_TARGET);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_GET_TARGET, 1, 0).ebx()).isEqualTo(0xffff_ffffL);
    }

    @Test
    void lockHoldsTheFrameAndUnlockGivesItBackAndEachRefusalHasItsStatus() {
        start(VMW_BALLOON_CAPABILITIES);
        int pfn = page(0);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_UNLOCK, pfn, 1).eax()).isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_UNLOCKED);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, pfn, 1).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(g.mm.frameHolder(pfn)).isSameAs(hv);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, pfn, 1).eax()).isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_LOCKED);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, g.mm.nrPages(), 1).eax())
                .isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_INVALID);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, page(0), 2).eax())
                .as("one page per non-batched command").isEqualTo(Protocol.VMW_BALLOON_ERROR_CMD_INVALID);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_UNLOCK, pfn, 1).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(g.mm.frameHolder(pfn)).isNull();

        hv.setTarget(1);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, page(0), 1).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, page(0), 1).eax())
                .as("it has enough memory").isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_NOTNEEDED);
    }

    @Test
    void aBatchGetsAStatusPerEntryAnd2MEntriesMustBeAligned() {
        start(VMW_BALLOON_CAPABILITIES);
        int batchPfn = page(0);
        long[] entries = batch.map(batchPfn);
        int p = page(0);
        int huge = page(9);
        entries[0] = Protocol.batchEntry(p);
        entries[1] = Protocol.batchEntry(p);
        entries[2] = Protocol.batchEntry(g.mm.nrPages() + 5L);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_LOCK, batchPfn, 3).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(Protocol.entryStatus(entries[0])).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(Protocol.entryStatus(entries[1])).isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_LOCKED);
        assertThat(Protocol.entryStatus(entries[2])).isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_INVALID);
        assertThat(Protocol.entryPfn(entries[0])).isEqualTo(p);

        entries[0] = Protocol.batchEntry(huge);
        entries[1] = Protocol.batchEntry(huge + 1);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_2M_LOCK, batchPfn, 2).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(Protocol.entryStatus(entries[0])).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(Protocol.entryStatus(entries[1])).isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_INVALID);
        assertThat(hv.view().held()).isEqualTo(513);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_2M_UNLOCK, batchPfn, 1).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(hv.view().held()).isEqualTo(1);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_LOCK, page(0), 1).eax())
                .as("no batch page there").isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_INVALID);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_LOCK, batchPfn, 513).eax())
                .as("more entries than a page holds").isEqualTo(Protocol.VMW_BALLOON_ERROR_CMD_INVALID);
    }

    @Test
    void aBusyHypervisorAnswersBusyToEveryLockAndUnlock() {
        start(VMW_BALLOON_CAPABILITIES);
        hv.setBehaviour(HostBehaviour.parse("busy"));
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_GET_TARGET, 1, 0).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_LOCK, page(0), 1).eax()).isEqualTo(Protocol.VMW_BALLOON_ERROR_BUSY);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_UNLOCK, page(0), 1).eax()).isEqualTo(Protocol.VMW_BALLOON_ERROR_BUSY);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_GUEST_ID, 1, 0).eax()).isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(start(VMW_BALLOON_CAPABILITIES)).isEqualTo(Protocol.VMW_BALLOON_SUCCESS_WITH_CAPABILITIES);
        assertThat(hv.view().busyAnswers()).isEqualTo(2);
    }

    @Test
    void refusePctRefusesExactlyThatShareOfLocks() {
        start(VMW_BALLOON_CAPABILITIES);
        hv.setBehaviour(HostBehaviour.parse("refuse 30%"));
        int refused = 0;
        for (int i = 0; i < 100; i++) {
            if (cmd(Protocol.VMW_BALLOON_CMD_LOCK, page(0), 1).eax() == Protocol.VMW_BALLOON_ERROR_PPN_PINNED) {
                refused++;
            }
        }
        assertThat(refused).isEqualTo(30);
    }

    @Test
    void aResetOfItsOwnGivesEveryFrameBackAndAnswersResetUntilStartAndStartZeroDisconnects() {
        start(VMW_BALLOON_CAPABILITIES);
        int pfn = page(0);
        cmd(Protocol.VMW_BALLOON_CMD_LOCK, pfn, 1);

        assertThat(hv.demandReset()).isEqualTo(1);

        assertThat(g.mm.frameHolder(pfn)).isNull();
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_GET_TARGET, 1, 0).eax()).isEqualTo(Protocol.VMW_BALLOON_ERROR_RESET);
        start(VMW_BALLOON_CAPABILITIES);
        cmd(Protocol.VMW_BALLOON_CMD_LOCK, pfn, 1);
        assertThat(start(0)).isEqualTo(Protocol.VMW_BALLOON_SUCCESS_WITH_CAPABILITIES);
        assertThat(g.mm.frameHolder(pfn)).as("START releases every frame").isNull();
        assertThat(hv.view().started()).isFalse();
    }

    @Test
    void aNewTargetRingsTheDoorbellUnlessItIsDroppedOrCleared() {
        hv = hypervisor(VMW_BALLOON_CAPABILITIES | VMW_BALLOON_SIGNALLED_WAKEUP_CMD, 0);
        backdoor = new Backdoor(hv);
        start(VMW_BALLOON_CAPABILITIES);
        List<String> rung = new ArrayList<>();
        VmciDoorbell.Handle h = vmci.create(() -> rung.add("ring"));
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_VMCI_DOORBELL_SET, h.context(), h.resource()).eax())
                .isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        hv.setTarget(10);
        hv.setBehaviour(HostBehaviour.parse("no-doorbell"));
        hv.setTarget(20);
        hv.setBehaviour(HostBehaviour.NORMAL);
        cmd(Protocol.VMW_BALLOON_CMD_VMCI_DOORBELL_SET, VmciDoorbell.VMCI_INVALID_ID, VmciDoorbell.VMCI_INVALID_ID);
        hv.setTarget(30);
        assertThat(rung).hasSize(1);
        assertThat(hv.view().doorbellsRung()).isEqualTo(1);
    }

    @Test
    void aGuestAccessToALockedFrameIsDataLossThatFailsMmCheck() {
        start(VMW_BALLOON_CAPABILITIES);
        int pfn = page(0);
        cmd(Protocol.VMW_BALLOON_CMD_LOCK, pfn, 1);

        g.mm.writePage(pfn, 42);

        assertThat(hv.view().dataLoss()).isEqualTo(1);
        CheckResult r = g.check();
        assertThat(r.verdict()).startsWith("mm:check: FAIL guest access to a host-held frame");
    }

    /** Another balloon's host, holding frames the guest also gave this one. */
    private static final class OtherHost implements Hypervisor {
        @Override
        public String name() {
            return "other host";
        }

        @Override
        public boolean faultsInOnAccess() {
            return false;
        }

        @Override
        public void guestAccessedHeldFrame(int pfn, String access) {
        }
    }

    /**
     * The frames of a batch go to mm-core in one run, yet each entry gets the status its LOCK alone would: an entry
     * whose frame another host holds is refused (PPN_LOCKED) with none of its frames taken, and the entries after
     * it are decided as if it had never been taken (the target's room, the refusal credit).
     */
    @Test
    void aBatchEntryWhoseFrameAnotherHostHoldsIsRefusedAloneAndTheRestAsOneLockEach() {
        start(VMW_BALLOON_CAPABILITIES);
        hv.setTarget(3 + 512);
        hv.setBehaviour(HostBehaviour.parse("refuse 50%"));
        OtherHost other = new OtherHost();
        int batchPfn = page(0);
        long[] entries = batch.map(batchPfn);
        int[] p = {page(0), page(0), page(0), page(0), page(0), page(0)};
        g.mm.hostDiscardFrame(p[2], other);
        for (int i = 0; i < p.length; i++) {
            entries[i] = Protocol.batchEntry(p[i]);
        }

        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_LOCK, batchPfn, p.length).eax())
                .isEqualTo(Protocol.VMW_BALLOON_SUCCESS);

        // as one LOCK each: 0 taken, 1 pinned (the credit reached 100), 2 the other host's (its credit spent), 3
        // pinned, 4 taken, 5 pinned; had entry 2 been taken, 3 would have been taken and 4 pinned
        long[] expected = {Protocol.VMW_BALLOON_SUCCESS, Protocol.VMW_BALLOON_ERROR_PPN_PINNED,
            Protocol.VMW_BALLOON_ERROR_PPN_LOCKED, Protocol.VMW_BALLOON_ERROR_PPN_PINNED, Protocol.VMW_BALLOON_SUCCESS,
            Protocol.VMW_BALLOON_ERROR_PPN_PINNED};
        for (int i = 0; i < p.length; i++) {
            assertThat(Protocol.entryStatus(entries[i])).as("entry %d", i).isEqualTo(expected[i]);
            assertThat(g.mm.frameHolder(p[i])).as("entry %d's frame", i)
                    .isSameAs(i == 2 ? other : expected[i] == Protocol.VMW_BALLOON_SUCCESS ? hv : null);
        }
        VmwHypervisor.View v = hv.view();
        assertThat(v.held()).isEqualTo(2);
        assertThat(v.locked()).isEqualTo(2);
        assertThat(v.refused()).isEqualTo(4);
        assertThat(v.conflicts()).isEqualTo(1);
        assertThat(g.dmesg()).filteredOn(l -> l.contains("LOCK of a frame another host holds")).hasSize(1);

        hv.setBehaviour(HostBehaviour.NORMAL);
        int huge = page(9);
        g.mm.hostDiscardFrame(huge + 100, other);
        entries[0] = Protocol.batchEntry(huge);
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_2M_LOCK, batchPfn, 1).eax())
                .isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        assertThat(Protocol.entryStatus(entries[0])).as("a 2 MiB page with one frame another host holds")
                .isEqualTo(Protocol.VMW_BALLOON_ERROR_PPN_LOCKED);
        assertThat(g.mm.frameHolder(huge)).as("its frames before that one, given back").isNull();
        assertThat(g.mm.frameHolder(huge + 511)).isNull();
        assertThat(hv.view().held()).isEqualTo(2);

        for (int i = 0; i < p.length; i++) {
            entries[i] = Protocol.batchEntry(p[i]);
        }
        assertThat(cmd(Protocol.VMW_BALLOON_CMD_BATCHED_UNLOCK, batchPfn, p.length).eax())
                .isEqualTo(Protocol.VMW_BALLOON_SUCCESS);
        for (int i = 0; i < p.length; i++) {
            assertThat(Protocol.entryStatus(entries[i])).as("unlock of entry %d", i)
                    .isEqualTo(expected[i] == Protocol.VMW_BALLOON_SUCCESS ? Protocol.VMW_BALLOON_SUCCESS
                            : Protocol.VMW_BALLOON_ERROR_PPN_UNLOCKED);
        }
        assertThat(hv.view().held()).isZero();
        assertThat(g.mm.frameHolder(p[2])).isSameAs(other);
        g.mm.hostPopulateFrame(p[2]);
        g.mm.hostPopulateFrame(huge + 100);
    }
}
