package dev.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.config.directive.Directive;
import dev.portico.lifecycle.ModuleList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/directives.md documents every directive of the table, each in the same entry format. */
class DirectivesDocumentedTest {
    private static final Pattern HEADING = Pattern.compile("^### `([^`]+)`$", Pattern.MULTILINE);
    private static final Path DOC = Path.of("docs/directives.md");

    @Test
    void everyDirectiveInTheTableHasAnEntry() throws IOException {
        Set<String> documented = headings(Files.readString(DOC));
        List<String> missing = new ArrayList<>();
        for (Directive d : ModuleList.table().all()) {
            if (!documented.contains(d.name())) {
                missing.add(d.name());
            }
        }
        assertThat(missing).as("directives without a \"### `name`\" heading in " + DOC + ": " + missing).isEmpty();
    }

    @Test
    void everyEntryHasSyntaxDefaultContextAndDifferences() throws IOException {
        String text = Files.readString(DOC);
        List<String> incomplete = new ArrayList<>();
        String[] entries = text.split("(?m)^### ");
        for (int i = 1; i < entries.length; i++) {
            String e = entries[i];
            String name = e.substring(0, e.indexOf('\n'));
            if (!e.contains("\n- **Syntax:** `") || !e.contains("\n- **Default:** ") || !e.contains("\n- **Context:** ")
                || !e.contains("\n- **Differences from nginx:** ")) {
                incomplete.add(name);
            }
        }
        assertThat(incomplete).as("entries missing Syntax/Default/Context/Differences lines").isEmpty();
    }

    @Test
    void noDirectiveIsDocumentedTwice() throws IOException {
        List<String> all = new ArrayList<>();
        Matcher m = HEADING.matcher(Files.readString(DOC));
        while (m.find()) {
            all.add(m.group(1));
        }
        assertThat(all).doesNotHaveDuplicates();
    }

    private static Set<String> headings(String text) {
        Matcher m = HEADING.matcher(text);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names.stream().collect(Collectors.toSet());
    }
}
