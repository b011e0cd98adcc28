package org.mmlab.cli.internal;

import java.io.InputStream;
import java.io.PrintStream;

import org.apache.felix.service.command.CommandProcessor;
import org.mmlab.cli.LabShell;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The lab's shell as a service: sessions of Gogo's command processor, as {@link ShellSession}s. */
@Component(service = LabShell.class)
public class LabShellService implements LabShell {

    private final CommandProcessor processor;
    private final CommandServices commands;

    @Activate
    public LabShellService(@Reference CommandProcessor processor, BundleContext context) {
        this.processor = processor;
        this.commands = new CommandServices(context);
    }

    @Override
    public Session open(InputStream in, PrintStream out, PrintStream err) {
        return new ShellSession(processor.createSession(in, out, err), commands);
    }
}
