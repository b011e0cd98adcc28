package org.mmlab.mm.internal;

import java.util.List;
import java.util.Map;

import org.mmlab.mm.admin.Fragmentation;
import org.mmlab.mm.admin.GuestViews;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The running guest's /proc and debugfs views and its log, for users and tools (GuestViews). */
@Component(service = GuestViews.class)
public class GuestViewsComponent implements GuestViews {
    private final RunningGuest guests;

    @Activate
    public GuestViewsComponent(@Reference RunningGuest guests) {
        this.guests = guests;
    }

    @Override
    public String show(View view) {
        GuestMemory g = guests.get().guest();
        return switch (view) {
            case MEMINFO -> Meminfo.show(g);
            case BUDDYINFO -> Buddyinfo.show(g);
            case PAGETYPEINFO -> Pagetypeinfo.show(g);
            case ZONEINFO -> Zoneinfo.show(g);
            case VMSTAT -> VmstatView.show(g);
            case EXTFRAG_INDEX -> ExtfragIndex.extfragIndex(g);
            case UNUSABLE_INDEX -> ExtfragIndex.unusableIndex(g);
            case MIGRATION -> MigrateStats.show(g);
        };
    }

    @Override
    public Map<String, Long> meminfo() {
        return Meminfo.fields(guests.get().guest());
    }

    @Override
    public List<FreeArea> buddyinfo() {
        return Buddyinfo.freeAreas(guests.get().guest());
    }

    @Override
    public List<FreeList> freeLists() {
        return Pagetypeinfo.freeLists(guests.get().guest());
    }

    @Override
    public List<Pageblocks> pageblocks() {
        return Pagetypeinfo.pageblocks(guests.get().guest());
    }

    @Override
    public List<ZoneFragmentation> extfrag() {
        return ExtfragIndex.indexes(guests.get().guest());
    }

    @Override
    public Fragmentation fragmentation() {
        return FragmentationShares.measure(guests.get().guest());
    }

    @Override
    public List<String> dmesg() {
        return guests.get().guest().dmesg().lines();
    }

    @Override
    public void clearDmesg() {
        guests.get().guest().dmesg().clear();
    }
}
