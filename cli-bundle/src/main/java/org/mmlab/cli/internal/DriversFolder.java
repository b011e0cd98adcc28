package org.mmlab.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.mmlab.cli.Banner;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The drivers/ folder that Felix FileInstall watches (felix.fileinstall.dir): a driver bundle's jar
 * copied there is loaded (insmod), removed is unloaded (rmmod), replaced is updated. Made here when
 * missing, since FileInstall only complains of it (it starts at a higher start level, after this),
 * and named in the greeting. A folder that cannot be made (a file in its place) leaves the lab without
 * one: FileInstall is kept from starting, where it would fail and so keep the lab from being up. Nothing
 * when the lab has no FileInstall (the in-framework tests).
 */
@Component(immediate = true)
public class DriversFolder implements Banner {

    /** FileInstall's folder, relative to the directory the lab started in. */
    static final String DIR = "felix.fileinstall.dir";
    /** FileInstall's folder when none is given. */
    static final String DEFAULT_DIR = "load";
    static final String FILEINSTALL = "org.apache.felix.fileinstall";
    /** How the greeting's line starts when the folder is there. */
    private static final String MADE = "the drivers folder: ";

    private final String line;

    @Activate
    public DriversFolder(BundleContext context) {
        Bundle fileinstall = fileinstall(context);
        String dir = context.getProperty(DIR);
        line = fileinstall == null ? null : make(Path.of(dir == null ? DEFAULT_DIR : dir));
        if (line != null && !line.startsWith(MADE)) {
            try {
                fileinstall.stop(); // before its start level: it stays stopped (the run's storage is its own)
            } catch (BundleException | IllegalStateException e) {
                // then it fails to start, and the lab says so
            }
        }
    }

    @Override
    public List<String> lines() {
        return line == null ? List.of() : List.of(line);
    }

    /** Makes the folder if it is missing: what the greeting says of it. */
    static String make(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            return "no drivers folder: " + abs + " is a file; choose a folder with -D" + DIR + "=DIR";
        }
        try {
            Files.createDirectories(abs);
        } catch (IOException | RuntimeException e) {
            return "no drivers folder: " + abs + " cannot be made (" + FailureMessage.of(e)
                    + "); choose one with -D" + DIR + "=DIR";
        }
        return MADE + abs + "   (a driver bundle's jar copied there is loaded, as insmod;"
                + " removed, it is unloaded, as rmmod; replaced, updated)";
    }

    private static Bundle fileinstall(BundleContext context) {
        for (Bundle b : context.getBundles()) {
            if (FILEINSTALL.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }
}
