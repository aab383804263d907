package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * listen ... proxy_protocol: v1 and v2 headers give $proxy_protocol_* (TLVs too) and, with
 * real_ip_header proxy_protocol, the client address; a connection without a valid header is
 * closed before anything is served.
 */
class ProxyProtocolTest {
    private static final String ANSWER = "return 200 \"$proxy_protocol_addr:$proxy_protocol_port "
        + "$proxy_protocol_server_addr:$proxy_protocol_server_port $remote_addr [$proxy_protocol_tlv_unique_id]"
        + " [$proxy_protocol_tlv_0x05]\";";

    private static TestPortico portico(String extra) {
        return TestPortico.start("error_log logs/error.log info;\nevents {}\nhttp {\n server { listen 127.0.0.1:8080 proxy_protocol; "
            + extra + " " + ANSWER + " }\n}\n");
    }

    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    @Test
    void aVersion1HeaderNamesTheClientAndKeepAliveRequestsNeedNoOther() {
        try (TestPortico p = portico(""); RawHttp c = new RawHttp(p.port(8080))) {
            c.send("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n" + REQUEST);
            assertThat(c.readResponse(false).bodyText()).isEqualTo("192.0.2.10:56324 198.51.100.1:443 127.0.0.1 [] []");
            assertThat(c.send(REQUEST).readResponse(false).bodyText()).startsWith("192.0.2.10:56324");
        }
    }

    @Test
    void withRealIpTheHeadersAddressIsTheClient() {
        try (TestPortico p = portico("set_real_ip_from 127.0.0.1; real_ip_header proxy_protocol;"); RawHttp c = new RawHttp(p.port(8080))) {
            c.send("PROXY TCP6 2001:db8::10 2001:db8::1 40000 80\r\n" + REQUEST);
            assertThat(c.readResponse(false).bodyText()).isEqualTo("2001:db8::10:40000 2001:db8::1:80 2001:db8::10 [] []");
        }
    }

    @Test
    void aVersion2HeaderWithTlvs() {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        h.write(0x21); // version 2, PROXY
        h.write(0x11); // TCP over IPv4
        byte[] tlv = {0x05, 0x00, 0x03, 'a', 'b', 'c'};
        int len = 12 + tlv.length;
        h.write(len >> 8);
        h.write(len & 0xff);
        h.writeBytes(new byte[] {(byte) 203, 0, 113, 7});
        h.writeBytes(new byte[] {(byte) 198, 51, 100, 1});
        h.writeBytes(new byte[] {(byte) 0xC3, 0x50}); // 50000
        h.writeBytes(new byte[] {0x01, (byte) 0xBB}); // 443
        h.writeBytes(tlv);
        h.writeBytes(REQUEST.getBytes(StandardCharsets.US_ASCII));
        try (TestPortico p = portico(""); RawHttp c = new RawHttp(p.port(8080))) {
            c.send(h.toByteArray());
            assertThat(c.readResponse(false).bodyText()).isEqualTo("203.0.113.7:50000 198.51.100.1:443 127.0.0.1 [abc] [abc]");
        }
    }

    @Test
    void aBrokenOrMissingHeaderClosesTheConnectionUnserved() {
        try (TestPortico p = portico("")) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("PROXY BOGUS\r\n" + REQUEST);
                assertThat(c.readUntilClose(3000)).isEmpty();
            }
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send(REQUEST);
                assertThat(c.readUntilClose(3000)).isEmpty();
            }
            assertThat(p.errorLog()).contains("while reading PROXY protocol, client: 127.0.0.1");
        }
    }
}
