package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drivers/ folder, used as a kernel engineer uses insmod and rmmod: in a running lab, a driver
 * bundle's jar copied into the folder takes over the built-in driver of that name, removed it unloads
 * the driver (its device goes, nothing is lost), copied again it loads it (a new module, its device back),
 * replaced by another build it updates it in place. Files that are no bundle lie there all along and
 * break nothing.
 */
class DriversFolderJarTest {
    private static final String XEN = "xen-bundle";
    /** A line of `lb -s xen-bundle`: the bundle's id, state and version. */
    private static final Pattern LB = Pattern.compile("(\\d+)\\|(\\w+)\\s*\\|\\s*\\d+\\|" + XEN + " \\(([^)]+)\\)");
    private static final String XEN_DEVICE = "\"name\":\"xen-balloon 0\"";

    @TempDir
    Path dir;

    @Test
    void aDriverJarInTheFolderIsLoadedRemovedUnloadedReplacedUpdated() throws Exception {
        Path drivers = dir.resolve("drivers");
        byte[] xen = embeddedBundle(XEN);
        try (LiveLab lab = LiveLab.start(dir)) {
            assertThat(lab.awaitLine(l -> l.contains("the drivers folder: "))).contains("the drivers folder: " + drivers);
            assertThat(drivers).isDirectory();
            Files.writeString(drivers.resolve("notes.txt"), "not a driver", UTF_8);
            Files.writeString(drivers.resolve("broken.jar"), "not a zip", UTF_8);
            Files.write(drivers.resolve("plain.jar"), jar(new Manifest(), "README", "a jar, but no bundle"));
            long builtIn = xenBundle(lab.run("lb -s " + XEN)).id;

            drop(xen, drivers.resolve("xen-balloon.jar"));
            lab.awaitOutput("log warn", out -> out.contains("(" + XEN + ") and version (0.1.0.SNAPSHOT) is already"
                    + " installed.  Updating this bundle instead"));

            Files.delete(drivers.resolve("xen-balloon.jar")); // rmmod
            lab.awaitOutput("lb -s " + XEN, out -> !LB.matcher(out).find());
            assertThat(String.join("\n", lab.run("balloon:list --json"))).doesNotContain(XEN_DEVICE);
            assertThat(lab.run("mm:check")).contains("mm:check: OK");

            drop(xen, drivers.resolve("xen-balloon.jar")); // insmod
            String listed = lab.awaitOutput("balloon:list --json", out -> out.contains(XEN_DEVICE));
            Bundle loaded = xenBundle(lab.run("lb -s " + XEN));
            assertThat(loaded.id).isNotEqualTo(builtIn);
            assertThat(listed).contains("\"driver\":\"" + XEN + " [" + loaded.id + "]\"");
            assertThat(lab.run("xen:target 0 64M")).anyMatch(l -> l.contains("device 0: a balloon of 16384 pages (64 MiB)"));
            assertThat(lab.run("xen:target 0 0")).anyMatch(l -> l.contains("device 0: a balloon of 0 pages"));

            drop(withVersion(xen, "0.1.0.rebuilt"), drivers.resolve("xen-balloon.jar")); // the same module, rebuilt
            // FileInstall updates the bundle (Installed for a moment), then starts it again
            String updated = lab.awaitOutput("lb -s " + XEN, out -> out.contains(XEN + " (0.1.0.rebuilt)|")
                    && out.contains("|Active"));
            assertThat(xenBundle(updated.lines().toList())).isEqualTo(new Bundle(loaded.id, "Active", "0.1.0.rebuilt"));
            lab.awaitOutput("balloon:list --json", out -> out.contains(XEN_DEVICE));
            assertThat(lab.run("mm:check")).contains("mm:check: OK");
        }
    }

    @Test
    void aFileWhereTheFolderShouldBeLeavesTheLabUpWithoutOneAndSaysSo() throws Exception {
        Path file = Files.writeString(dir.resolve("drivers"), "a file", UTF_8);
        try (LiveLab lab = LiveLab.start(dir)) {
            assertThat(lab.awaitLine(l -> l.contains("drivers folder"))).endsWith("mmlab: no drivers folder: " + file
                    + " is a file; choose a folder with -Dfelix.fileinstall.dir=DIR");
            assertThat(lab.run("mm:check")).contains("mm:check: OK");
        }
        assertThat(Files.readString(file, UTF_8)).isEqualTo("a file");
    }

    private record Bundle(long id, String state, String version) {}

    private static Bundle xenBundle(java.util.List<String> lb) {
        Matcher m = LB.matcher(String.join("\n", lb));
        assertThat(m.find()).as("%s in %s", XEN, lb).isTrue();
        return new Bundle(Long.parseLong(m.group(1)), m.group(2), m.group(3));
    }

    /** Copies a jar in at once (moved from beside the folder), as `cp` then `mv` would: never half written. */
    static void drop(byte[] jar, Path to) throws IOException {
        Path part = Files.write(Files.createTempFile(to.getParent().getParent(), "driver", ".part"), jar);
        Files.move(part, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A bundle's jar as the lab jar embeds it (jar/NAME-VERSION.jar). */
    private static byte[] embeddedBundle(String name) throws IOException {
        try (JarFile lab = new JarFile(LabProcess.jar().toFile())) {
            ZipEntry e = lab.stream().filter(j -> j.getName().startsWith("jar/" + name + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " in " + LabProcess.jar()));
            try (InputStream in = lab.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }

    /** The same bundle with another Bundle-Version: what a rebuild of the driver gives. */
    private static byte[] withVersion(byte[] bundle, String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(bundle))) {
            Manifest mf = in.getManifest();
            mf.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                }
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] jar(Manifest mf, String entry, String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, mf)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(text.getBytes(UTF_8));
        }
        return bytes.toByteArray();
    }
}
