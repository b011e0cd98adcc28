package org.mmlab.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.mmlab.cli.Banner;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The drivers/ folder that Felix FileInstall watches (felix.fileinstall.dir): a driver bundle's jar
 * copied there is loaded (insmod), removed is unloaded (rmmod), replaced is updated. Made here when
 * missing, since FileInstall only complains of it (it starts at a higher start level, after this),
 * and named in the greeting. Nothing when the lab has no FileInstall (the in-framework tests).
 */
@Component
public class DriversFolder implements Banner {

    /** FileInstall's folder, relative to the directory the lab started in. */
    static final String DIR = "felix.fileinstall.dir";
    /** FileInstall's folder when none is given. */
    static final String DEFAULT_DIR = "load";
    static final String FILEINSTALL = "org.apache.felix.fileinstall";

    private final String line;

    @Activate
    public DriversFolder(BundleContext context) {
        String dir = context.getProperty(DIR);
        line = installed(context) ? make(Path.of(dir == null ? DEFAULT_DIR : dir)) : null;
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
        return "the drivers folder: " + abs + "   (a driver bundle's jar copied there is loaded, as insmod;"
                + " removed, it is unloaded, as rmmod; replaced, updated)";
    }

    private static boolean installed(BundleContext context) {
        for (Bundle b : context.getBundles()) {
            if (FILEINSTALL.equals(b.getSymbolicName())) {
                return true;
            }
        }
        return false;
    }
}
