package org.mmlab.lab.internal;

import java.util.Hashtable;
import java.util.Map;

import org.mmlab.balloon.BalloonSettings;
import org.osgi.service.cm.Configuration;

/**
 * A leak path other than v3.8's (PID org.mmlab.balloon, leakPath) that a race batch or a storm sets and puts back.
 * Configuration Admin delivers a change on its own thread, so setting and waiting are two steps: a race sets it
 * before the reboot that should see it and waits after.
 */
final class LeakPathSetting {
    /** The merged leak path (the default), and the reviewed v7 patch's (seed 003). */
    static final String V38 = "v3.8";
    static final String V7 = "v7";

    private Configuration config;
    private String path;

    /** Asks for this leak path; nothing changes until Configuration Admin delivers it (await()). */
    void set(LabContext lab, String leakPath) throws Exception {
        if (config == null) {
            config = lab.cm().getConfiguration(BalloonSettings.PID, "?");
        }
        config.update(new Hashtable<>(Map.of(BalloonSettings.LEAK_PATH, leakPath)));
        path = leakPath;
    }

    boolean isSet() {
        return config != null;
    }

    /** Waits until the balloon infrastructure runs with the path set; nothing to wait for when none is. */
    void await(LabContext lab) throws Exception {
        if (config != null) {
            lab.awaitLeakPath(path);
        }
    }

    /** Back to v3.8 (the configuration deleted), in force when this returns. */
    void putBack(LabContext lab) throws Exception {
        if (config != null) {
            config.delete();
            config = null;
            path = null;
            lab.awaitLeakPath(V38);
        }
    }
}
