package org.mmlab.cli.internal;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Whether Gogo's shell has finished starting. Once ACTIVE it runs {@code gosh --login ARGS} on a
 * thread of its own, after polling up to a second for its gosh command: a lab stopped before that
 * ran made it print "Command not found: gosh" and a stack trace under a finished program. With
 * {@code --nointeractive} (the lab's shell runs the console) gosh returns at once, so the lab waits
 * for it; seen through Gogo's session listeners, which hear of every statement of every session.
 */
final class GoshStartup implements CommandSessionListener {

    static final String GOGO_SHELL = "org.apache.felix.gogo.shell";

    private final BundleContext context;
    private final Runnable whenRan;
    private final ServiceRegistration<CommandSessionListener> registration;
    private volatile boolean ran;

    GoshStartup(BundleContext context, Runnable whenRan) {
        this.context = context;
        this.whenRan = whenRan;
        this.registration = context.registerService(CommandSessionListener.class, this, null);
    }

    /** True once gosh has run, or when there is no Gogo shell to wait for. */
    boolean done() {
        if (ran) {
            return true;
        }
        String args = context.getProperty("gosh.args");
        for (Bundle b : context.getBundles()) {
            if (GOGO_SHELL.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                return args == null || !args.contains("--nointeractive"); // Gogo's own console runs until its end
            }
        }
        return true;
    }

    @Override
    public void beforeExecute(CommandSession session, CharSequence commandline) {
        // heard of after it ran
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence commandline, Exception exception) {
        noteGosh(commandline);
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence commandline, Object result) {
        noteGosh(commandline);
    }

    private void noteGosh(CharSequence commandline) {
        if (commandline.toString().startsWith("gosh --login")) {
            ran = true;
            whenRan.run();
        }
    }

    void close() {
        try {
            registration.unregister();
        } catch (IllegalStateException gone) {
            // unregistered with our bundle
        }
    }
}
