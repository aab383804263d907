package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.core.BuildContext;
import dev.portico.core.Prefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contexts for backends are made once per configuration and material, and compare by material. */
class ClientTlsTest {
    private static ClientTls.Options options(List<String> protocols) {
        return new ClientTls.Options(false, null, 1, null, protocols, "DEFAULT", null, null, null);
    }

    @Test
    void equalSettingsShareOneContextWithinABuildAndCompareEqualAcrossBuilds() throws Exception {
        Path dir = Files.createTempDirectory("portico-clienttls");
        Files.createDirectories(dir.resolve("conf"));
        Prefix prefix = new Prefix(dir, Path.of("conf/nginx.conf"));
        BuildContext one = new BuildContext(prefix);
        ClientTls a = ClientTls.compile(options(List.of("TLSv1.2", "TLSv1.3")), one);
        ClientTls b = ClientTls.compile(options(List.of("TLSv1.2", "TLSv1.3")), one);
        ClientTls c = ClientTls.compile(options(List.of("TLSv1.2")), one);
        assertThat(b).isSameAs(a);
        assertThat(c).isNotEqualTo(a);
        ClientTls again = ClientTls.compile(options(List.of("TLSv1.2", "TLSv1.3")), new BuildContext(prefix));
        assertThat(again).isNotSameAs(a).isEqualTo(a).hasSameHashCodeAs(a);
    }
}
