package org.mmlab.mm.internal;

import org.mmlab.mm.admin.FragmentResult;
import org.mmlab.mm.admin.WorkloadControl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The running guest's simulated user processes (WorkloadControl). */
@Component(service = WorkloadControl.class)
public class WorkloadComponent implements WorkloadControl {
    private final RunningGuest guests;

    @Activate
    public WorkloadComponent(@Reference RunningGuest guests) {
        this.guests = guests;
    }

    @Override
    public Status start(long seed, int processes, int pagesPerProcess, int threads) {
        Workload w = guests.get().workload();
        w.start(seed, processes, pagesPerProcess, threads);
        return status(w);
    }

    @Override
    public FragmentResult fragment(long seed, int processes, double targetPercent) {
        return guests.get().workload().fragment(seed, processes, targetPercent);
    }

    @Override
    public Status stop() {
        Workload w = guests.get().workload();
        w.stop();
        return status(w);
    }

    @Override
    public Status status() {
        return status(guests.get().workload());
    }

    private static Status status(Workload w) {
        return new Status(w.running(), w.mappedPages(), w.dataLoss(), w.status());
    }
}
