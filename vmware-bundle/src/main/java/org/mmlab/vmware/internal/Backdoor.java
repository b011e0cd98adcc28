package org.mmlab.vmware.internal;

/**
 * The backdoor of __vmballoon_cmd(): `inl %dx` with eax = VMW_BALLOON_HV_MAGIC, ecx = the command,
 * edx = VMW_BALLOON_HV_PORT, ebx and esi = its two arguments. The VM exits, the hypervisor handles the
 * command on the calling CPU and answers in eax (the status), ecx (START's capabilities) and ebx (the
 * target, or a result). A port or magic nobody answers reads all ones, as an unbacked port does.
 */
final class Backdoor {
    /** What the hypervisor leaves in the registers. */
    record Registers(long eax, long ebx, long ecx) {
    }

    /** What an `inl` from a port no device backs returns. */
    static final Registers NOBODY = new Registers(0xffff_ffffL, 0, 0);

    private final VmwHypervisor hypervisor;

    Backdoor(VmwHypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    Registers inl(long eax, long ecx, long edx, long ebx, long esi) {
        if (edx != Protocol.VMW_BALLOON_HV_PORT || eax != Protocol.VMW_BALLOON_HV_MAGIC) {
            return NOBODY;
        }
        return hypervisor.command((int) ecx, ebx, esi);
    }
}
