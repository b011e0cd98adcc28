package org.mmlab.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image Jib wrote (target/mmlab-image.tar) runs as a container runtime would run it, with no
 * runtime here: its layers unpacked in order into a root directory, the runtime's /dev and /proc
 * mounted in a mount and PID namespace of its own, and the config's entrypoint run under chroot as the
 * config's user, with the lab's own arguments.
 */
class ImageRunsTest {

    private static final Path TAR = Path.of(System.getProperty("mmlab.image.tar", "target/mmlab-image.tar"));
    private static final Pattern DIGEST = Pattern.compile("\"digest\":\"sha256:([0-9a-f]{64})\"");

    @TempDir
    Path dir;

    @Test
    void theEntrypointRunsAProgramAsNobodyOnItsOwnFiles() throws Exception {
        Needs.require("root".equals(System.getProperty("user.name")),
                "unpacking layers with their owners, unshare and chroot need root");
        Path layout = Files.createDirectories(dir.resolve("layout"));
        untar("-xf", TAR.toString(), "-C", layout.toString());

        String manifest = blob(layout, first(DIGEST, Files.readString(layout.resolve("index.json"))));
        String config = blob(layout, first(Pattern.compile("\"config\":\\{[^}]*?" + DIGEST.pattern()), manifest));
        Path root = Files.createDirectories(dir.resolve("root"));
        String layers = first(Pattern.compile("\"layers\":\\[(.*)\\]"), manifest);
        Matcher layer = DIGEST.matcher(layers);
        int count = 0;
        while (layer.find()) {
            untar("-xzf", layout.resolve("blobs/sha256/" + layer.group(1)).toString(), "-C", root.toString());
            count++;
        }
        assertThat(count).as("layers in the manifest").isPositive();
        assertThat(root.resolve("opt/java/bin/java")).isExecutable();

        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c",
                // the mount points a runtime provides: without /proc the JVM cannot find itself, without
                // /dev/urandom SecureRandom seeds itself by spinning threads
                "root=$0 user=$1; shift; mkdir -p \"$root/dev\" \"$root/proc\""
                        + " && mount --rbind /dev \"$root/dev\" && mount -t proc proc \"$root/proc\""
                        + " && exec chroot --userspec=\"$user\" \"$root\" \"$@\"",
                root.toString(), first(Pattern.compile("\"User\":\"([^\"]+)\""), config)));
        command.addAll(entrypoint(config));
        command.addAll(List.of("-c", "mm:meminfo; mm:check"));
        Command lab = Command.run(dir, command, 180);

        assertThat(lab.exit()).as(lab.err()).isZero();
        assertThat(lab.out()).containsPattern("(?m)^MemTotal:\\s+\\d+ kB$");
    }

    private static List<String> entrypoint(String config) {
        String array = first(Pattern.compile("\"Entrypoint\":\\[([^\\]]*)\\]"), config);
        List<String> words = new ArrayList<>();
        Matcher word = Pattern.compile("\"([^\"]*)\"").matcher(array);
        while (word.find()) {
            words.add(word.group(1));
        }
        assertThat(words).as("the config's entrypoint").isNotEmpty();
        return words;
    }

    private static String blob(Path layout, String digest) throws IOException {
        return Files.readString(layout.resolve("blobs/sha256/" + digest));
    }

    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as("%s in %s", pattern, text).isTrue();
        return m.group(1);
    }

    private void untar(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tar"));
        command.addAll(List.of(args));
        Command tar = Command.run(dir, command, 180);
        assertThat(tar.exit()).as("%s: %s", command, tar.err()).isZero();
    }
}
