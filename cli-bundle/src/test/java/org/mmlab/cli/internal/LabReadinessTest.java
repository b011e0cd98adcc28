package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabReadinessTest {

    @Test
    void aFailureTraceIsReducedToItsExceptionAndCauseLines() {
        String failure = "java.lang.IllegalArgumentException: pages=0 is refused\n"
                + "\tat org.mmlab.mm.internal.MemoryManagerImpl.activate(MemoryManagerImpl.java:31)\n"
                + "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
                + "Caused by: java.lang.ArithmeticException: / by zero\n"
                + "\tat org.mmlab.mm.internal.Zone.<init>(Zone.java:12)\n"
                + "\t... 42 more\n";
        assertThat(LabReadiness.withoutStackFrames(failure)).isEqualTo(
                "java.lang.IllegalArgumentException: pages=0 is refused\n"
                        + "Caused by: java.lang.ArithmeticException: / by zero");
    }
}
