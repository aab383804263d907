package dev.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation names files by paths relative to the repository ({@code docs/bench/...},
 * {@code ../shared/bench/...}), never by where one machine happened to keep them: no
 * {@code /work/...}, {@code /home/...}, {@code /root/...}, {@code /Users/...} or {@code /tmp/...}
 * in the pages and scripts under docs/ (an example configuration may still listen on a
 * {@code unix:/tmp/...} socket, which is not a path of the repository).
 */
class DocsPathsTest {
    private static final Pattern MACHINE_PATH = Pattern.compile("(?<![\\w.:/-])/(?:work|home|root|Users|tmp)/[^\\s`\"')]*");

    @Test
    void docsNameNoAbsolutePathOfTheMachine() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("docs"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (!(name.endsWith(".md") || name.endsWith(".sh") || name.endsWith(".py") || name.endsWith(".conf"))) {
                    continue;
                }
                String[] lines = Files.readString(f, StandardCharsets.ISO_8859_1).split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    Matcher m = MACHINE_PATH.matcher(lines[i]);
                    while (m.find()) {
                        found.add(f + ":" + (i + 1) + ": " + m.group());
                    }
                }
            }
        }
        assertThat(found).isEmpty();
    }
}
