package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx's escape modes (ngx_escape_uri), on byte strings. */
class UriEscapeTest {
    @ParameterizedTest(name = "{0}: [{1}] -> [{2}]")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "URI           | /a b#c%d?e&f+g;h/ | /a%20b%23c%25d%3Fe&f+g;h/",
        "URI           | /plain/path.html  | /plain/path.html",
        "URI           | /\u00ff\u0001\u007f | /%FF%01%7F",
        "ARGS          | a b#c%d?e&f+g;h=i | a%20b%23c%25d%3Fe%26f%2Bg%3Bh=i",
        "URI_COMPONENT | a b/c?d~e_f-g.h!  | a%20b%2Fc%3Fd~e_f-g.h%21",
        "PATH          | /a b\"c<d>e{f}    | /a%20b%22c%3Cd%3Ee%7Bf%7D",
        "LOCATION      | /a b{CRLF}Set-Cookie: x | /a%20b%0D%0ASet-Cookie:%20x",
        "LOCATION      | http://h/a?b=c#d  | http://h/a?b=c#d",
    })
    void escapesWhatItsModeNames(UriEscape.Mode mode, String in, String out) {
        assertThat(UriEscape.escape(in.replace("{CRLF}", "\r\n"), mode)).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource({"URI", "ARGS", "URI_COMPONENT", "PATH", "LOCATION"})
    void nothingToEscapeReturnsTheSameString(UriEscape.Mode mode) {
        String s = "abc123";
        assertThat(UriEscape.escape(s, mode)).isSameAs(s);
    }

    @ParameterizedTest
    @CsvSource({"caf\u00e9, caf%C3%A9", "\u4e2d, %E4%B8%AD"})
    void javaTextIsEscapedAsUtf8(String text, String out) {
        assertThat(UriEscape.escapeText(text, UriEscape.Mode.URI_COMPONENT)).isEqualTo(out);
    }
}
