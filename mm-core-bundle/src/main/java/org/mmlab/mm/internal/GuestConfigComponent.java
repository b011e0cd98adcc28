package org.mmlab.mm.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.mmlab.mm.admin.GuestConfig;
import org.mmlab.mm.admin.GuestConfiguration;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;

/**
 * The guest's configuration through Configuration Admin (GuestConfig): a change is checked as a whole
 * before it is written, and its promise is kept by the guest that boots from it ({@link RunningGuest},
 * which {@link ConfigGate} tags every boot for).
 */
@Component(service = GuestConfig.class)
public class GuestConfigComponent implements GuestConfig {
    private final ConfigurationAdmin cm;
    private final ConfigGate gate;
    private final RunningGuest guests;

    @Activate
    public GuestConfigComponent(@Reference ConfigurationAdmin cm, @Reference ConfigGate gate,
            @Reference RunningGuest guests) {
        this.cm = cm;
        this.gate = gate;
        this.guests = guests;
    }

    @Override
    public Optional<GuestConfiguration> running() {
        MmCore core = guests.orNull();
        return Optional.ofNullable(core).map(c -> c.guest().config().configuration());
    }

    @Override
    public Optional<String> refused() {
        return Optional.ofNullable(gate.refused());
    }

    @Override
    public FailedBoot failedBoot() {
        List<String> reset = new ArrayList<>();
        Map<String, Object> props = lastPassedOn(reset);
        String why = reset.isEmpty() ? "see the log" : "not valid: " + String.join(", ", reset)
                + " (shown above with its default, which mm:config NAME VALUE uses)";
        try {
            MmConfig.parse(props);
        } catch (IllegalArgumentException e) {
            why = e.getMessage();
        }
        return new FailedBoot(props, reset, why);
    }

    @Override
    public Promise<GuestConfiguration> update(Map<String, ?> changes) {
        MmCore core = guests.orNull();
        Map<String, Object> next = core != null ? core.guest().config().properties() : lastPassedOn(new ArrayList<>());
        return write(next, changes);
    }

    @Override
    public Promise<GuestConfiguration> reset(Map<String, ?> properties) {
        return write(MmCore.properties(MmCore.defaults()), properties);
    }

    @Override
    public Promise<GuestConfiguration> booted() {
        try {
            Configuration[] held = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + PID + ")");
            return booted(held == null ? 0 : held[0].getChangeCount());
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot read configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    /** The promise of the guest booted from change of PID org.mmlab.mm: broken at once if the gate refused it. */
    private Promise<GuestConfiguration> booted(long change) {
        String refused = gate.refusedChange() >= change ? gate.refused() : null;
        if (refused != null) {
            return Promises.failed(new IllegalArgumentException(refused));
        }
        return guests.booted(change).map(c -> c.guest().config().configuration());
    }

    /** base with the changes, checked, written to PID org.mmlab.mm: the promise of the guest it boots. */
    private Promise<GuestConfiguration> write(Map<String, Object> base, Map<String, ?> changes) {
        Map<String, Object> next = new LinkedHashMap<>(base);
        changes.forEach((name, value) -> next.put(name, checked(name, value)));
        MmConfig.parse(next); // refuses a bad value before anything changes
        try {
            Configuration conf = cm.getConfiguration(PID, "?");
            Dictionary<String, Object> props = conf.getProperties() == null ? new Hashtable<>() : conf.getProperties();
            next.forEach(props::put);
            conf.update(props);
            return booted(conf.getChangeCount());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    /** A property of PID org.mmlab.mm and its value: a switch takes a Boolean (or "true", "false"). */
    private static Object checked(String name, Object value) {
        if (!PROPERTIES.contains(name)) {
            throw new IllegalArgumentException("no property '" + name + "': use memorySize, dma32Size, contentModel,"
                    + " debugVm, debugList, migrationContract, pagePoisoning or lockdep");
        }
        boolean isSwitch = name.equals("debugVm") || name.equals("debugList") || name.equals("pagePoisoning")
                || name.equals("lockdep");
        if (isSwitch && !(value instanceof Boolean) && !"true".equals(value) && !"false".equals(value)) {
            throw new IllegalArgumentException(name + "=" + value + ": must be true or false");
        }
        if (!isSwitch && !(value instanceof String)) {
            throw new IllegalArgumentException(name + "=" + value + ": must be a string, e.g. "
                    + MmCore.properties(MmCore.defaults()).get(name));
        }
        return value;
    }

    private Map<String, Object> lastPassedOn(List<String> reset) {
        try {
            return gate.lastPassedOn(reset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration " + MmCore.BOOT_PID + ": " + e.getMessage(), e);
        }
    }
}
