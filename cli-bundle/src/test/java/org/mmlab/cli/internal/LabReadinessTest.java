package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabReadinessTest {

    @Test
    void aFailureTraceIsReducedToItsInnermostCausesMessage() {
        String failure = "org.osgi.service.component.ComponentException: activation failed\n"
                + "\tat org.apache.felix.scr.impl.manager.SingleComponentManager.createImplementationObject(X.java:1)\n"
                + "Caused by: java.lang.IllegalArgumentException: memorySize=4 GiB needs 40 MiB of heap: the heap is"
                + " too small\n"
                + "\tat org.mmlab.mm.internal.MmConfig.checkFits(MmConfig.java:31)\n"
                + "\t... 42 more\n";

        assertThat(LabReadiness.rootMessage(failure)).isEqualTo("memorySize=4 GiB needs 40 MiB of heap: the heap is"
                + " too small");
    }

    @Test
    void anExceptionWithoutAMessageIsNamedByItsSimpleName() {
        assertThat(LabReadiness.rootMessage("java.lang.NullPointerException\n\tat a.B.c(B.java:1)\n"))
                .isEqualTo("NullPointerException");
        assertThat(LabReadiness.rootMessage(null)).isEqualTo("(no failure text)");
    }
}
