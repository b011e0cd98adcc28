package org.mmlab.lab.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Predicate;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.mmlab.mm.MemoryManager;
import org.mmlab.mm.MigrationContract;
import org.mmlab.mm.Mm;
import org.mmlab.mm.MovablePages;
import org.mmlab.mm.lab.MmLab;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/** What a race needs from the running lab: the guest, the shell's commands and the bundles. */
final class LabContext implements AutoCloseable {
    static final long WAIT_MS = 15_000;
    /** mm-core's configuration PID (MmCore.PID). */
    static final String MM_PID = "org.mmlab.mm";

    final BundleContext context;
    private final CommandProcessor processor;
    private final ServiceTracker<MemoryManager, MemoryManager> mm;
    private final ServiceTracker<MovablePages, MovablePages> movable;
    private final ServiceTracker<MmLab, MmLab> mmLab;
    private final ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> cm;
    /** The guest a run reported something in (it may be corrupt: the next bootWith reboots it), or null. */
    private MemoryManager tainted;

    LabContext(BundleContext context, CommandProcessor processor) {
        this.context = context;
        this.processor = processor;
        this.mm = new ServiceTracker<>(context, MemoryManager.class, null);
        mm.open();
        this.movable = new ServiceTracker<>(context, MovablePages.class, null);
        movable.open();
        this.mmLab = new ServiceTracker<>(context, MmLab.class, null);
        mmLab.open();
        this.cm = new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        cm.open();
    }

    /** A run reported something in the running guest: the next {@link #bootWith} reboots it. */
    void taint() throws InterruptedException {
        tainted = mm();
    }

    /**
     * The guest running this contract: rebooted (see {@link #boot}) unless it runs it already and no
     * run reported anything in it. A batch's runs then share one boot.
     */
    void bootWith(MigrationContract contract) throws Exception {
        boot(contract, (long) mm().nrPages() << Mm.PAGE_SHIFT);
    }

    /**
     * The guest running this contract with this much memory: unless it does already and no run
     * reported anything in it, Configuration Admin reboots it with them (as mm:config does, without
     * the shell), the rest of its configuration kept.
     */
    void boot(MigrationContract contract, long memoryBytes) throws Exception {
        MemoryManager old = mm();
        if (old != tainted && contract() == contract && ((long) old.nrPages() << Mm.PAGE_SHIFT) == memoryBytes) {
            return;
        }
        Configuration conf = cm().getConfiguration(MM_PID, "?");
        Dictionary<String, Object> props = conf.getProperties() == null ? new Hashtable<>() : conf.getProperties();
        props.put("migrationContract", contract.value());
        props.put("memorySize", Long.toString(memoryBytes));
        conf.update(props);
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (mm.getService() == old || mm.getService() == null) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the guest did not reboot with " + contract.value() + " and "
                        + memoryBytes + " bytes within " + WAIT_MS / 1000 + " s (see the log: log warn)");
            }
            Thread.sleep(1);
        }
        // and the mm: commands bound to it (they follow the guest dynamically)
        awaitOutput("mm:config", "(" + (memoryBytes >> Mm.PAGE_SHIFT) + " pages)");
        tainted = null;
    }

    /** The running guest's migration contract. */
    MigrationContract contract() throws InterruptedException {
        MovablePages m = movable.waitForService(WAIT_MS);
        if (m == null) {
            throw new IllegalStateException("no guest is running (MovablePages service missing)");
        }
        return m.contract();
    }

    /** The running guest's view of movable pages (page->private, movable_ops). */
    MovablePages movablePages() throws InterruptedException {
        MovablePages m = movable.waitForService(WAIT_MS);
        if (m == null) {
            throw new IllegalStateException("no guest is running (MovablePages service missing)");
        }
        return m;
    }

    /** The running guest's race-lab controls (module policy, dmesg marks, injection points). */
    MmLab mmLab() throws InterruptedException {
        MmLab m = mmLab.waitForService(WAIT_MS);
        if (m == null) {
            throw new IllegalStateException("no guest is running (MmLab service missing)");
        }
        return m;
    }

    /** Configuration Admin, for driver configurations (virtio devices). */
    ConfigurationAdmin cm() throws InterruptedException {
        ConfigurationAdmin c = cm.waitForService(WAIT_MS);
        if (c == null) {
            throw new IllegalStateException("no Configuration Admin service");
        }
        return c;
    }

    /** The running guest's memory manager (after a reboot, the new guest's). */
    MemoryManager mm() throws InterruptedException {
        MemoryManager m = mm.waitForService(WAIT_MS);
        if (m == null) {
            throw new IllegalStateException("no guest is running (MemoryManager service missing)");
        }
        return m;
    }

    /**
     * Runs a shell command, as a user would type it; returns what it printed. It runs on a thread of
     * its own: the lab: command that called us holds this thread's shell streams (Gogo's ThreadIO).
     */
    String run(String command) throws Exception {
        FutureTask<String> task = new FutureTask<>(() -> execute(command));
        Thread t = new Thread(task, "lab-shell");
        t.start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private String execute(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), ps, ps);
        try {
            session.execute(command);
            session.getConsole().flush();
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The bundle with this symbolic name. */
    Bundle bundle(String bsn) {
        Bundle b = installed(bsn);
        if (b == null) {
            throw new IllegalStateException("bundle " + bsn + " is not installed");
        }
        return b;
    }

    /** The bundle with this symbolic name, or null if none is installed. */
    Bundle installed(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElse(null);
    }

    /** The bundle started, installed again from jar if it was uninstalled (insmod after rmmod). */
    Bundle ensureStarted(String bsn, byte[] jar) throws Exception {
        Bundle b = installed(bsn);
        if (b == null) {
            if (jar == null) {
                throw new IllegalStateException("bundle " + bsn + " is not installed, and the lab has no copy of it");
            }
            b = context.installBundle("mmlab-lab:" + bsn, new ByteArrayInputStream(jar));
        }
        if (b.getState() != Bundle.ACTIVE) {
            b.start();
        }
        return b;
    }

    /** Runs the command until its output contains expected (commands come and go with their bundles). */
    String awaitOutput(String command, String expected) throws Exception {
        return awaitOutput(command, "'" + expected + "'", out -> out.contains(expected));
    }

    /** Runs the command until what it prints satisfies done, described as what for the timeout's message. */
    String awaitOutput(String command, String what, Predicate<String> done) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                last = run(command);
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                last = e.toString();
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("timed out waiting for " + what + " from " + command + "; last: " + last);
    }

    @Override
    public void close() {
        mm.close();
        movable.close();
        cm.close();
    }
}
