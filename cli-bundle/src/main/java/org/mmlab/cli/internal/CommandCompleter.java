package org.mmlab.cli.internal;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion in the interactive lab: the first word of a statement (and the word after a
 * {@code ;} or {@code |}) completes to a command, as SCOPE:FUNCTION or FUNCTION, or to a scope
 * ({@code mm:}, which then lists that scope's commands). Other words are the commands' own.
 */
final class CommandCompleter implements Completer {

    private final Supplier<SortedSet<String>> commands;

    /** @param commands every command as SCOPE:FUNCTION, asked anew at each completion (bundles come and go) */
    CommandCompleter(Supplier<SortedSet<String>> commands) {
        this.commands = commands;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        if (!startsStatement(line)) {
            return;
        }
        SortedSet<String> scopes = new TreeSet<>();
        for (String name : commands.get()) {
            String scope = name.substring(0, name.indexOf(':') + 1);
            String function = name.substring(scope.length());
            scopes.add(scope);
            candidates.add(new Candidate(name, name, scope.substring(0, scope.length() - 1), null, null, null, true));
            candidates.add(new Candidate(function, function, "commands", null, null, name, true));
        }
        scopes.forEach(s -> candidates.add(new Candidate(s, s, "scopes", null, null, null, false)));
    }

    /** True when the word under the cursor is a command's name: the first, or one after ; or |. */
    static boolean startsStatement(ParsedLine line) {
        List<String> words = line.words();
        int i = line.wordIndex();
        if (i == 0) {
            return true;
        }
        String before = words.get(i - 1);
        return before.endsWith(";") || before.endsWith("|");
    }
}
