package org.mmlab.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code ./mmlab} script itself, run as a user runs it, on the jar this build exported: its
 * class-data-sharing archive (mmlab-app/target/mmlab.jsa), written by the first run of a new jar and
 * mapped by the next, and the jar's bundles, unpacked by the first run (mmlab-app/target/mmlab.bundles/)
 * and installed from there by reference; and the lab's JVM options (mmlab-app/jvm.options).
 */
class MmlabScriptTest {

    private static final Path JAR = LabProcess.jar().toAbsolutePath();
    private static final Path SCRIPT = JAR.getParent().getParent().getParent().resolve("mmlab");
    private static final Path ARCHIVE = JAR.resolveSibling("mmlab.jsa");
    private static final Path UNPACKED = JAR.resolveSibling("mmlab.bundles");
    /** A call or loop event of -XX:+PrintTieredEvents: the method, and whether the JIT had it queued. */
    private static final Pattern TIERED_EVENT = Pattern.compile(
            "\\[(?:call|loop) level=\\d \\[(\\S+)\\] .*? status=([a-z-]+)\\]");

    @TempDir
    Path dir;

    @Test
    void theSecondRunMapsTheArchiveTheFirstWrote() throws Exception {
        // a jar newer than every source: the script builds nothing, and takes it for a new jar
        Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));
        Files.deleteIfExists(ARCHIVE);

        LabProcess.Run first = mmlab("-c", "mm:meminfo");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).startsWith("MemTotal:").doesNotContain("[warning]");
        assertThat(ARCHIVE).isRegularFile();
        try (Stream<Path> siblings = Files.list(JAR.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .as("no archive left half-written").noneMatch(n -> n.startsWith("mmlab.jsa."));
        }

        // -Xshare:on: the JVM refuses to start unless it maps the archive
        Path classes = dir.resolve("classes.txt");
        LabProcess.Run second = mmlab("-c", "mm:meminfo", "-Xshare:on",
                "-Xlog:class+load=info:file=" + classes + ":none:filecount=0");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        // the bundles' classes come from the archive, those its own run only loaded too: 216 were parsed out of
        // the jars at each start before that run linked them, 5 after
        try (Stream<String> lines = Files.lines(classes)) {
            assertThat(lines.filter(l -> l.contains(" source: file:" + UNPACKED.resolve("jar"))))
                    .as("bundle classes not from the archive").hasSizeLessThan(50);
        }
    }

    /**
     * JDK 17 writes into a dynamic archive the "queued for compilation" mark of every method in the JIT's
     * queue when the JVM exits (JDK-8306460), and a run that maps the archive never compiles those methods:
     * mm:check's page loop and the controlled scheduler stayed interpreted in every later race 8 batch. A
     * first run whose JIT has a long queue at exit (every method is hot after a hundredth of the usual
     * calls) left 86-100 such methods in the archive before it was written by a lab of its own, with no JIT.
     */
    @Test
    void theArchiveLeavesNoMethodQueuedForTheJitOfTheRunsThatMapIt() throws Exception {
        Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));
        Files.deleteIfExists(ARCHIVE);

        LabProcess.Run first = mmlab("-c", "mm:meminfo", "-XX:CompileThresholdScaling=0.01");
        assertThat(first.exit()).as(first.err()).isZero();
        LabProcess.Run second = mmlab("-c", "mm:meminfo", "-Xshare:on", "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+PrintTieredEvents");
        assertThat(second.exit()).as(second.err()).isZero();

        // each method's first event in this JVM: none can have been queued before it
        Map<String, String> firstStatus = new LinkedHashMap<>();
        Matcher event = TIERED_EVENT.matcher(second.out());
        while (event.find()) {
            firstStatus.putIfAbsent(event.group(1), event.group(2));
        }
        assertThat(firstStatus).as("methods the JIT was asked about").hasSizeGreaterThan(1_000);
        assertThat(firstStatus.entrySet().stream().filter(e -> e.getValue().equals("in-queue")).map(Map.Entry::getKey))
                .as("methods queued before this JVM asked for them").isEmpty();
    }

    @Test
    void theLabInstallsTheBundlesOfTheJarUnpackedByReference() throws Exception {
        Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));

        LabProcess.Run run = mmlab("-c", "lb -l");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(Files.getLastModifiedTime(UNPACKED.resolve("launcher.properties")))
                .as("unpacked from this jar").isGreaterThan(Files.getLastModifiedTime(JAR));
        List<String> locations = run.out().lines().filter(l -> l.matches("\\s*[1-9][0-9]*\\|.*")).toList();
        assertThat(locations).as("every bundle but the framework").isNotEmpty().allSatisfy(line -> assertThat(line)
                .contains("|reference:file:" + UNPACKED.resolve("jar") + "/"));
    }

    /**
     * The launcher and the framework are on the JVM's class path, so that its own class loader loads them
     * and the archive gives their classes whole; under the jar's EmbeddedLauncher a class loader of its own
     * read each class's bytes out of copies of their jars in /tmp.
     */
    @Test
    void theFrameworkComesFromTheClassPathOfTheUnpackedJar() throws Exception {
        Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));

        LabProcess.Run run = mmlab("-c",
                "((($.context bundle 0) loadClass org.apache.felix.framework.Felix) getClassLoader) getName; "
                + "(($.context bundle 0) loadClass java.lang.System) getProperty java.class.path");

        assertThat(run.exit()).as(run.err()).isZero();
        // "app" is the name of the JVM's application class loader; the EmbeddedLauncher's has none
        assertThat(run.out()).startsWith("app\n")
                .contains(UNPACKED.resolve("jar") + "/org.apache.felix.framework-")
                .contains(UNPACKED.resolve("jar") + "/biz.aQute.launcher-")
                .contains(File.pathSeparator + JAR);
    }

    @Test
    void theLabRunsWithItsJvmOptionsAndTheUsersWin() throws Exception {
        Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));

        LabProcess.Run run = mmlab("-c", "mm:meminfo", "-XX:+PrintFlagsFinal", "-XX:Tier4CompileThreshold=70000");

        assertThat(run.exit()).as(run.err()).isZero();
        // mmlab-app/jvm.options, as the image's entrypoint gives it too; MMLAB_JAVA_OPTS after it
        assertThat(run.out()).containsPattern("Tier4InvocationThreshold\\s+= 50000\\s+\\{product\\} \\{command line\\}")
                .containsPattern("Tier4CompileThreshold\\s+= 70000\\s");
    }

    /** Transparent huge pages where the kernel gives them on request only; never asked for elsewhere. */
    @Test
    void theLabAsksForTransparentHugePagesWhereTheKernelGivesThemOnRequest() throws Exception {
        Files.setLastModifiedTime(JAR, FileTime.from(Instant.now()));
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean onRequest = Files.isReadable(thp) && Files.readString(thp).contains("[madvise]");

        LabProcess.Run run = mmlab("-c", "mm:meminfo", "-XX:+PrintFlagsFinal");

        assertThat(run.exit()).as(run.err()).isZero();
        if (onRequest) {
            assertThat(run.out()).containsPattern("UseTransparentHugePages\\s+= true\\s+\\{product\\} \\{command line\\}");
        } else {
            assertThat(run.out()).doesNotContainPattern("UseTransparentHugePages\\s+= \\w+\\s+\\{product\\} \\{command line\\}");
        }
        // the user's option still wins
        LabProcess.Run off = mmlab("-c", "mm:meminfo", "-XX:+PrintFlagsFinal", "-XX:-UseTransparentHugePages");
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(off.out()).containsPattern("UseTransparentHugePages\\s+= false\\s");
    }

    @ParameterizedTest(name = "./mmlab {0}")
    @MethodSource("wrongCommandLines")
    void aWrongCommandLineIsRefusedInOneLineThatSaysWhatIsAllowed(List<String> args, String why) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        String err = new String(process.getErrorStream().readAllBytes(), UTF_8);

        // before: '' started the interactive lab, -h x printed the help, the others the whole help
        assertThat(process.waitFor()).isEqualTo(2);
        assertThat(err).isEqualTo("mmlab: " + why + "; usage: ./mmlab [-c 'CMD; CMD' | FILE.gosh | -h]\n");
        assertThat(new String(process.getInputStream().readAllBytes(), UTF_8)).isEmpty();
    }

    static Stream<Arguments> wrongCommandLines() {
        return Stream.of(
                Arguments.of(List.of(""), "an empty argument is no script file"),
                Arguments.of(List.of("-h", "x"), "-h takes nothing after it"),
                Arguments.of(List.of("--help", "x"), "--help takes nothing after it"),
                Arguments.of(List.of("-c"), "-c takes one program, quoted as one argument"),
                Arguments.of(List.of("-c", "mm:meminfo", "mm:vmstat"), "-c takes one program, quoted as one argument"),
                Arguments.of(List.of("-x"), "unknown option -x"),
                Arguments.of(List.of("a.gosh", "b.gosh"), "one script file at most"));
    }

    /** {@code ./mmlab ARGS} with its page on a free port and, as MMLAB_JAVA_OPTS, {@code javaOptions}. */
    private LabProcess.Run mmlab(String option, String program, String... javaOptions)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), option, program)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("MMLAB_JAVA_OPTS",
                String.join(" ", "-D" + LabProcess.HTTP_PORT + "=0", String.join(" ", javaOptions)).strip());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        if (!process.waitFor(LabProcess.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("./mmlab did not exit within " + LabProcess.TIMEOUT_SECONDS + " s");
        }
        return new LabProcess.Run(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    }
}
