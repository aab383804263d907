package dev.portico.tls;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * What Portico reads from a ClientHello before choosing a certificate: the server name (SNI),
 * and whether the client can take an ECDSA certificate. BoringSSL holds one certificate per
 * connection, so where a server has an RSA and an ECDSA pair the choice is made here, as
 * OpenSSL makes it for nginx: ECDSA when the client's signature algorithms include it and it
 * can use it (TLS 1.3, or an ECDHE-ECDSA suite offered for TLS 1.2), RSA otherwise.
 */
record ClientHello(String serverName, boolean ecdsa) {
    static final ClientHello NONE = new ClientHello(null, false);

    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_SIGNATURE_ALGORITHMS = 13;
    private static final int EXT_SUPPORTED_VERSIONS = 43;

    /** Parses the handshake body (from client_version on); anything malformed reads as no SNI, no ECDSA. */
    static ClientHello parse(ByteBuf hello) {
        if (hello == null) {
            return NONE;
        }
        try {
            int i = hello.readerIndex();
            int end = hello.writerIndex();
            i += 2 + 32;
            i += 1 + hello.getUnsignedByte(i);
            int suitesLen = hello.getUnsignedShort(i);
            boolean ecdsaSuite = false;
            for (int s = i + 2; s < i + 2 + suitesLen; s += 2) {
                ecdsaSuite |= isEcdsaSuite(hello.getUnsignedShort(s));
            }
            i += 2 + suitesLen;
            i += 1 + hello.getUnsignedByte(i);
            if (i + 2 > end) {
                return NONE;
            }
            int extEnd = Math.min(end, i + 2 + hello.getUnsignedShort(i));
            i += 2;
            String name = null;
            boolean ecdsaSig = false;
            boolean tls13 = false;
            while (i + 4 <= extEnd) {
                int type = hello.getUnsignedShort(i);
                int len = hello.getUnsignedShort(i + 2);
                int data = i + 4;
                if (type == EXT_SERVER_NAME && len >= 5 && hello.getUnsignedByte(data + 2) == 0) {
                    int nameLen = hello.getUnsignedShort(data + 3);
                    name = hello.toString(data + 5, nameLen, java.nio.charset.StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
                    if (name.endsWith(".")) {
                        name = name.substring(0, name.length() - 1);
                    }
                } else if (type == EXT_SIGNATURE_ALGORITHMS && len >= 2) {
                    int n = hello.getUnsignedShort(data);
                    for (int a = data + 2; a + 1 < data + 2 + n; a += 2) {
                        // ecdsa_*: the second byte is 3 (SHA-256/384/512/SHA-1 with ECDSA)
                        ecdsaSig |= hello.getUnsignedByte(a + 1) == 3 && hello.getUnsignedByte(a) >= 2 && hello.getUnsignedByte(a) <= 6;
                    }
                } else if (type == EXT_SUPPORTED_VERSIONS && len >= 1) {
                    int n = hello.getUnsignedByte(data);
                    for (int v = data + 1; v + 1 < data + 1 + n; v += 2) {
                        tls13 |= hello.getUnsignedShort(v) == 0x0304;
                    }
                }
                i = data + len;
            }
            return new ClientHello(name, ecdsaSig && (tls13 || ecdsaSuite));
        } catch (IndexOutOfBoundsException e) {
            return NONE;
        }
    }

    /** TLS 1.2 suites authenticated with ECDSA (ECDHE-ECDSA-*). */
    private static boolean isEcdsaSuite(int suite) {
        return switch (suite) {
            case 0xC02B, 0xC02C, 0xC009, 0xC00A, 0xC023, 0xC024, 0xCCA9, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF -> true;
            default -> false;
        };
    }
}
