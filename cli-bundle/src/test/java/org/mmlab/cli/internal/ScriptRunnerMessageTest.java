package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.junit.jupiter.api.Test;

class ScriptRunnerMessageTest {

    @Test
    void anUnknownCommandIsReportedByName() {
        assertThat(ScriptRunner.message(new CommandNotFoundException("mm:nosuch"))).isEqualTo("command not found: mm:nosuch");
    }

    @Test
    void aWrappedFailureIsReportedByItsRootCause() {
        Exception wrapped = new RuntimeException("wrapper",
                new InvocationTargetException(new IllegalArgumentException("order 11 is above MAX_ORDER 10")));
        assertThat(ScriptRunner.message(wrapped)).isEqualTo("order 11 is above MAX_ORDER 10");
    }

    @Test
    void aFailureWithoutAMessageIsReportedByItsClass() {
        assertThat(ScriptRunner.message(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
    }
}
