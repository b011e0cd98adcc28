package org.mmlab.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class StatementsTest {

    @Test
    void semicolonsAndNewlinesSeparateStatements() {
        assertThat(Statements.split("mm:meminfo; mm:check\nmm:vmstat"))
                .containsExactly("mm:meminfo", "mm:check", "mm:vmstat");
    }

    @Test
    void emptyStatementsAndBlankLinesAreDropped() {
        assertThat(Statements.split(";;  mm:meminfo ;\n\n \t\n; mm:check;")).containsExactly("mm:meminfo", "mm:check");
    }

    @Test
    void anEmptyProgramHasNoStatements() {
        assertThat(Statements.split("")).isEmpty();
        assertThat(Statements.split(" \n ; \n")).isEmpty();
    }

    @Test
    void separatorsInsideDoubleQuotesStayInTheStatement() {
        assertThat(Statements.split("echo \"a; b\nc\"; echo d")).containsExactly("echo \"a; b\nc\"", "echo d");
    }

    @Test
    void separatorsInsideSingleQuotesStayInTheStatement() {
        assertThat(Statements.split("echo 'a; b # c'; echo d")).containsExactly("echo 'a; b # c'", "echo d");
    }

    @Test
    void anEscapedQuoteDoesNotEndADoubleQuotedString() {
        assertThat(Statements.split("echo \"say \\\"hi; there\\\"\"; echo d"))
                .containsExactly("echo \"say \\\"hi; there\\\"\"", "echo d");
    }

    @Test
    void aBackslashOutsideQuotesEscapesTheSeparator() {
        assertThat(Statements.split("echo a\\; b; echo c")).containsExactly("echo a\\; b", "echo c");
    }

    @Test
    void aBackslashAtTheEndOfALineContinuesTheStatement() {
        assertThat(Statements.split("mm:alloc \\\n  3\nmm:check")).containsExactly("mm:alloc    3", "mm:check");
    }

    @Test
    void nestedBracesParenthesesAndBracketsKeepTheirSeparators() {
        String loop = "each [1 2 3] {\n  echo $it; mm:alloc ( 0 ) \n  { x; y }\n}";
        assertThat(Statements.split(loop + "; mm:check")).containsExactly(loop, "mm:check");
    }

    @Test
    void quotesInsideBracesAreTracked() {
        assertThat(Statements.split("f = { echo '}' \"{\" }; f")).containsExactly("f = { echo '}' \"{\" }", "f");
    }

    @Test
    void aCommentLineIsSkipped() {
        assertThat(Statements.split("# set up\nmm:meminfo\n   # indented comment; not a statement\nmm:check"))
                .containsExactly("mm:meminfo", "mm:check");
    }

    @Test
    void aCommentAfterAStatementRunsToTheEndOfTheLine() {
        assertThat(Statements.split("mm:alloc 3   # grab 8 pages; really\nmm:check"))
                .containsExactly("mm:alloc 3", "mm:check");
    }

    @Test
    void aHashInsideAWordOrQuotesIsNotAComment() {
        assertThat(Statements.split("echo a#b \"#c\"; echo d")).containsExactly("echo a#b \"#c\"", "echo d");
    }

    @Test
    void windowsLineEndingsSeparateStatements() {
        assertThat(Statements.split("mm:meminfo\r\nmm:check\r\n")).containsExactly("mm:meminfo", "mm:check");
    }

    @Test
    void anUnclosedBraceIsReportedWithItsLine() {
        assertThatIllegalArgumentException().isThrownBy(() -> Statements.split("mm:check\neach [1] {\n echo"))
                .withMessage("unclosed '{' opened on line 2");
    }

    @Test
    void anUnclosedQuoteIsReported() {
        assertThatIllegalArgumentException().isThrownBy(() -> Statements.split("echo \"oops; mm:check"))
                .withMessageContaining("unclosed \"");
    }

    @Test
    void aMismatchedClosingBracketIsReported() {
        assertThatIllegalArgumentException().isThrownBy(() -> Statements.split("echo (a]"))
                .withMessage("unexpected ']' on line 1");
    }
}
