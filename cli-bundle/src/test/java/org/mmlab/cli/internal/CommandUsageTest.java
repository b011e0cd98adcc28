package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.junit.jupiter.api.Test;

/** Usage lines made from a command's methods: each command's own, from its signature. */
class CommandUsageTest {

    /** Commands shaped like the lab's. */
    public static class Sample {
        public void meminfo() {}

        public void page(@Descriptor("the PFN, decimal or 0x-hex") String pfn) {}

        public void alloc(String order) {}

        public void alloc(String order, String gfp) {}

        public void config() {}

        public void config(String name, String value) {}

        public void race(@Parameter(names = {"-n", "--runs"}, absentValue = "1") String runs,
                @Parameter(names = {"-f", "--force"}, presentValue = "true", absentValue = "false") boolean force,
                String name) {}

        public void workload(@Descriptor("start | stop | status | fragment") String action) {}

        public void debug(@Descriptor("vm | unload (the use-after-unload checker) | unlesszero (seed 001: isolation's"
                + " get_page_unless_zero())")
                String checker, String state) {}

        public void driver(@Descriptor("vbPtr") String name, String value) {}

        public void host(String dev, String... arg) {}

        public void exit(CommandSession session) {}

        public void kcompactd(@Descriptor("status | start | stop | proactiveness") String action) {}

        public void kcompactd(@Descriptor("proactiveness") String action, String value) {}
    }

    @Test
    void aCommandWithoutArgumentsIsItsName() {
        assertThat(CommandUsage.of("mm", "meminfo", Sample.class)).isEqualTo("mm:meminfo");
    }

    @Test
    void aParameterShowsItsNameInCapitals() {
        assertThat(CommandUsage.of("mm", "page", Sample.class)).isEqualTo("mm:page PFN");
    }

    @Test
    void anOverloadWithMoreParametersAddsThemInBrackets() {
        assertThat(CommandUsage.of("mm", "alloc", Sample.class)).isEqualTo("mm:alloc ORDER [GFP]");
        assertThat(CommandUsage.of("mm", "config", Sample.class)).isEqualTo("mm:config [NAME VALUE]");
    }

    @Test
    void optionsComeFirstByTheirLongestName() {
        assertThat(CommandUsage.of("lab", "race", Sample.class)).isEqualTo("lab:race [--runs RUNS] [--force] NAME");
    }

    @Test
    void aParameterThatListsItsValuesShowsThem() {
        assertThat(CommandUsage.of("mm", "workload", Sample.class)).isEqualTo("mm:workload start|stop|status|fragment");
        assertThat(CommandUsage.of("mm", "debug", Sample.class)).isEqualTo("mm:debug vm|unload|unlesszero STATE");
    }

    @Test
    void aParameterThatIsOneKeywordShowsIt() {
        assertThat(CommandUsage.of("virtio", "driver", Sample.class)).isEqualTo("virtio:driver vbPtr VALUE");
    }

    @Test
    void anArrayTakesAnyNumber() {
        assertThat(CommandUsage.of("virtio", "host", Sample.class)).isEqualTo("virtio:host DEV [ARG...]");
    }

    @Test
    void theSessionGogoPassesIsNoArgument() {
        assertThat(CommandUsage.of("gogo", "exit", Sample.class)).isEqualTo("gogo:exit");
    }

    @Test
    void overloadsThatDoNotExtendEachOtherAreAlternatives() {
        assertThat(CommandUsage.of("mm", "kcompactd", Sample.class))
                .isEqualTo("mm:kcompactd status|start|stop|proactiveness or mm:kcompactd proactiveness VALUE");
    }

    @Test
    void aFunctionTheClassDoesNotHaveHasNoUsage() {
        assertThat(CommandUsage.of("mm", "nosuch", Sample.class)).isNull();
    }
}
