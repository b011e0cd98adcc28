package org.mmlab.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Optional;
import java.util.OptionalInt;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Sessions of the lab's shell: the one {@code ./mmlab -c}, {@code ./mmlab FILE} and the interactive
 * lab run their statements in. A failure comes back as one line that says what is allowed (for a
 * wrong number or kind of arguments, the command's usage line), never a Java class name or a Gogo
 * internal.
 */
@ProviderType
public interface LabShell {

    /** A session whose statements read {@code in} and print on {@code out} and {@code err}, as Gogo's would. */
    Session open(InputStream in, PrintStream out, PrintStream err);

    /** One Gogo session of the lab's shell; its variables last from one statement to the next. */
    @ProviderType
    interface Session extends AutoCloseable {

        /**
         * Runs one statement; what it prints, and its value, go to the session's output.
         *
         * @return empty if it succeeded, else the one line that says why it failed
         */
        Optional<String> run(String statement);

        /** The code {@code exit} asked for, once a statement ran it: no statement should run after it. */
        OptionalInt exitCode();

        @Override
        void close();
    }
}
