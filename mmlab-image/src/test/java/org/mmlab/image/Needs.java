package org.mmlab.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs of the machine: without it the test is skipped on a developer's machine (README
 * says what to install) and fails under CI (CI set), which installs it.
 */
final class Needs {

    private Needs() {}

    static void require(boolean there, String what) {
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(there, what);
        }
        assertThat(there).as(what).isTrue();
    }
}
