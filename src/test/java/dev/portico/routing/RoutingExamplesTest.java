package dev.portico.routing;

import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example configurations of the documentation load as they are. */
class RoutingExamplesTest {
    @ParameterizedTest
    @ValueSource(strings = {"docs/examples/rewrite.conf", "docs/examples/map.conf"})
    void exampleLoads(String file) throws Exception {
        TestPortico.load(Files.readString(Path.of(file)));
    }
}
