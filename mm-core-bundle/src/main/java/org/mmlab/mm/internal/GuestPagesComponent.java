package org.mmlab.mm.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.mmlab.mm.admin.GuestPages;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The running guest's pages one by one (GuestPages): dump_page(), whose a page is, /proc/kpageflags, the vmcore. */
@Component(service = GuestPages.class)
public class GuestPagesComponent implements GuestPages {
    private final RunningGuest guests;

    @Activate
    public GuestPagesComponent(@Reference RunningGuest guests) {
        this.guests = guests;
    }

    @Override
    public int nrPages() {
        return guests.get().guest().nrPages();
    }

    @Override
    public String dumpPage(int pfn, String reason) {
        GuestMemory g = guests.get().guest();
        g.checkPfn(pfn);
        return g.dumpPage(pfn, reason);
    }

    @Override
    public long drainAllPages() {
        return guests.get().guest().drainAllPages();
    }

    @Override
    public PageInfo page(int pfn) {
        GuestMemory g = guests.get().guest();
        g.checkPfn(pfn);
        return new PageInfo(pfn, g.allocator().zoneOf(pfn).name(), g.pageblockMigratetype(pfn), g.content().read(pfn),
                g.stopMachine(() -> PageUse.describe(g, pfn)));
    }

    @Override
    public long writeKpageflags(Path file, boolean replace) throws IOException {
        return Kpageflags.write(guests.get().guest(), file, replace);
    }

    @Override
    public VmcoreWritten writeVmcore(Path file, boolean naive, boolean replace) throws IOException {
        return VmcoreWriter.write(guests.get().guest(), file, naive, replace);
    }
}
