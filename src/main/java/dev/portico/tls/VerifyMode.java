package dev.portico.tls;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;

/** {@code ssl_verify_client}: whether the handshake asks for a client certificate, and what a request needs of it. */
enum VerifyMode {
    OFF("off"),
    /** A certificate is required and must verify (496 without one, 495 when it fails). */
    ON("on"),
    /** A certificate is asked for; when one is sent it must verify. */
    OPTIONAL("optional"),
    /** A certificate is asked for; an unknown issuer is let through, other failures are not. */
    OPTIONAL_NO_CA("optional_no_ca");

    private final String word;

    VerifyMode(String word) {
        this.word = word;
    }

    static VerifyMode parse(ConfNode node, String v) throws ConfigException {
        for (VerifyMode m : values()) {
            if (m.word.equals(v)) {
                return m;
            }
        }
        throw node.invalidValue(v);
    }
}
