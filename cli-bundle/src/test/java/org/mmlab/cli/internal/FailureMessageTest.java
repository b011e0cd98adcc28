package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.function.BiFunction;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.gogo.runtime.SyntaxError;
import org.junit.jupiter.api.Test;

class FailureMessageTest {

    /** mm:page, and check in two scopes, as CommandServices would find them. */
    private static final BiFunction<String, String, List<String>> USAGES = (scope, function) -> {
        if (function.equals("page") && (scope == null || scope.equals("mm"))) {
            return List.of("mm:page PFN");
        }
        if (function.equals("check")) {
            return scope == null ? List.of("lab:check [on|off]", "mm:check")
                    : scope.equals("mm") ? List.of("mm:check") : List.of();
        }
        return List.of();
    };

    @Test
    void anUnknownCommandIsReportedByName() {
        assertThat(FailureMessage.of(new CommandNotFoundException("mm:nosuch"))).isEqualTo("command not found: mm:nosuch");
    }

    @Test
    void aWrappedFailureIsReportedByItsRootCause() {
        Exception wrapped = new RuntimeException("wrapper",
                new InvocationTargetException(new IllegalArgumentException("order 11 is above MAX_ORDER 10")));
        assertThat(FailureMessage.of(wrapped)).isEqualTo("order 11 is above MAX_ORDER 10");
    }

    @Test
    void gogosCannotCoerceBecomesTheCommandsUsageLine() {
        Exception gogo = new IllegalArgumentException("Cannot coerce page(Token, Token) to any of [(String)]");

        assertThat(FailureMessage.of(gogo, "mm:page 0 1", USAGES)).isEqualTo("usage: mm:page PFN");
    }

    @Test
    void theScopeTheStatementNamesPicksTheCommand() {
        Exception gogo = new IllegalArgumentException("Cannot coerce check(Token) to any of [()]");

        assertThat(FailureMessage.of(gogo, "mm:check now", USAGES)).isEqualTo("usage: mm:check");
        assertThat(FailureMessage.of(gogo, "check now", USAGES)).isEqualTo("usage: lab:check [on|off] or mm:check");
    }

    @Test
    void aCommandInsideAClosureIsFound() {
        Exception gogo = new IllegalArgumentException("Cannot coerce page() to any of [(String)]");

        assertThat(FailureMessage.of(gogo, "each [1 2] { mm:page }", USAGES)).isEqualTo("usage: mm:page PFN");
    }

    @Test
    void aMethodThatIsNoCommandGetsNoUsageButNoInternalsEither() {
        Exception gogo = new IllegalArgumentException("Cannot coerce sleep(String) to any of [(long), (long, int)]");

        assertThat(FailureMessage.of(gogo, "(new java.lang.Thread) sleep abc", USAGES))
                .isEqualTo("wrong number or kind of arguments (help NAME shows a command's)");
    }

    @Test
    void whatGogosArgumentMatchingThrowsItselfBecomesTheUsageLine() {
        ArrayStoreException mismatch = new ArrayStoreException("arraycopy: element type mismatch");
        mismatch.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("java.util.ArrayList", "toArray", "ArrayList.java", 1),
            new StackTraceElement("org.apache.felix.gogo.runtime.Reflective", "coerce", "Reflective.java", 2)});

        assertThat(FailureMessage.of(mismatch, "mm:page [1 2]", USAGES)).isEqualTo("usage: mm:page PFN");
    }

    @Test
    void aSyntaxErrorSaysSo() {
        assertThat(FailureMessage.of(new SyntaxError(1, 9, "Expected file name for redirection")))
                .isEqualTo("syntax error: Expected file name for redirection");
    }

    @Test
    void runningOutOfHeapIsSaidInWords() {
        assertThat(FailureMessage.of(new OutOfMemoryError("Requested array size exceeds VM limit")))
                .startsWith("out of memory: the JVM's heap is too small for this");
    }

    @Test
    void aFileProblemNamesTheFileAndWhat() {
        assertThat(FailureMessage.of(new NoSuchFileException("/no/such/dir/kpf")))
                .isEqualTo("/no/such/dir/kpf: no such file or directory");
        assertThat(FailureMessage.of(new AccessDeniedException("/proc/kpf"))).isEqualTo("/proc/kpf: permission denied");
    }

    @Test
    void theJvmsOwnExceptionIsABugSaidWithWhereItHappenedNotWithJavasWords() {
        NullPointerException npe = new NullPointerException("Cannot invoke \"String.trim()\" because \"text\" is null");
        npe.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("java.lang.String", "trim", "String.java", 1),
            new StackTraceElement("org.mmlab.mm.shell.Args", "pfn", "Args.java", 42)});

        assertThat(FailureMessage.of(npe)).isEqualTo("failed: a bug in the lab (at Args.java line 42; please report it)");
    }

    @Test
    void aFailureWithoutAMessageIsABugToo() {
        assertThat(FailureMessage.of(new IllegalStateException())).startsWith("failed: a bug in the lab");
    }
}
