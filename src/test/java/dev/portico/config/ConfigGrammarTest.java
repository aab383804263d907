package dev.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx's configuration grammar: words, quotes, escapes, variables, comments, blocks, includes. */
class ConfigGrammarTest {
    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private List<ConfNode> parse(String text) throws Exception {
        Path main = write("conf/nginx.conf", text);
        return new ConfigParser(main.getParent()).parseFile(main);
    }

    /** The arguments of the only directive in {@code text}. */
    private List<String> args(String text) throws Exception {
        List<ConfNode> nodes = parse(text);
        assertThat(nodes).hasSize(1);
        return nodes.get(0).args();
    }

    @Test
    void simpleAndBlockDirectivesNest() throws Exception {
        List<ConfNode> nodes = parse("events { worker_connections 10; }\nhttp {\n  server { listen 80; location / { } }\n}\n");
        assertThat(nodes).extracting(ConfNode::name).containsExactly("events", "http");
        ConfNode server = nodes.get(1).children().get(0);
        assertThat(server.name()).isEqualTo("server");
        assertThat(server.children()).extracting(ConfNode::name).containsExactly("listen", "location");
        assertThat(server.children().get(0).isBlock()).isFalse();
        assertThat(server.children().get(1).isBlock()).isTrue();
        assertThat(server.children().get(1).children()).isEmpty();
        assertThat(server.children().get(1).args()).containsExactly("/");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "return 200 \"a b\";                  | a b",
        "return 200 'a \"b\" c';              | a \"b\" c",
        "return 200 \"say \\\"hi\\\"\";       | say \"hi\"",
        "return 200 'it\\'s';                 | it's",
        "return 200 \"back\\\\slash\";        | back\\slash",
        "return 200 \"tab\\there\";           | `tab\there`",
        "return 200 \"keep\\d\";              | keep\\d",
        "return 200 \"semi;colon\";           | semi;colon",
        "return 200 \"{brace}\";              | {brace}",
        "return 200 hash#inside;              | hash#inside",
        "return 200 $uri;                     | $uri",
        "return 200 ${host}x;                 | ${host}x",
        "return 200 \"${host}:${server_port}\"; | ${host}:${server_port}",
        "return 200 pre${var}post;            | pre${var}post",
        "return 200 \"\";                     | ''",
        "return 200 \"h\u00e9llo \u2713\";    | h\u00e9llo \u2713",
        "return 200 a\\ b;                    | a\\ b",
    })
    void wordsQuotesEscapesAndVariables(String text, String expected) throws Exception {
        // configuration text is read as bytes: a UTF-8 word is its bytes, one char each
        String want = dev.portico.bytes.ByteStrings.fromText(expected.equals("''") ? "" : expected.replace("\\t", "\t"));
        List<String> args = args(text);
        assertThat(args.get(1)).isEqualTo(want);
    }

    @Test
    void escapedNewlineTabAndReturnInQuotesBecomeControlCharacters() throws Exception {
        assertThat(args("return 200 \"a\\nb\\tc\\rd\";").get(1)).isEqualTo("a\nb\tc\rd");
    }

    @Test
    void commentsRunToTheEndOfTheLine() throws Exception {
        List<ConfNode> nodes = parse("# a comment\ndaemon off; # trailing ; { } comment\n#events {\nevents {}\n");
        assertThat(nodes).extracting(ConfNode::name).containsExactly("daemon", "events");
        assertThat(nodes.get(0).args()).containsExactly("off");
    }

    @Test
    void argumentsMaySpanLinesAndTheDirectiveStandsAtItsTerminator() throws Exception {
        List<ConfNode> nodes = parse("events {}\nlog_format main\n    '$remote_addr'\n    \"$status\"\n;\nhttp\n{\n}\n");
        assertThat(nodes.get(1).args()).containsExactly("main", "$remote_addr", "$status");
        // nginx reports a directive at the line of its ";" or "{"
        assertThat(nodes.get(1).line()).isEqualTo(5);
        assertThat(nodes.get(2).line()).isEqualTo(7);
    }

    @Test
    void quotedStringsMaySpanLines() throws Exception {
        List<ConfNode> nodes = parse("return 200 \"line one\nline two\";\nevents {}\n");
        assertThat(nodes.get(0).args().get(1)).isEqualTo("line one\nline two");
        assertThat(nodes.get(0).line()).isEqualTo(2);
        assertThat(nodes.get(1).line()).isEqualTo(3);
    }

    @Test
    void aClosingParenthesisMayFollowAQuotedWord() throws Exception {
        List<ConfNode> nodes = parse("if ($a = \"b\") { }\n");
        assertThat(nodes.get(0).args()).containsExactly("($a", "=", "b", ")");
    }

    @Test
    void includeGlobsAreReadInSortedOrderAndMayMatchNothing() throws Exception {
        write("conf/conf.d/b.conf", "b;\n");
        write("conf/conf.d/a.conf", "a;\n");
        write("conf/conf.d/c.conf", "c;\n");
        write("conf/conf.d/skip.txt", "skip;\n");
        List<ConfNode> nodes = parse("first;\ninclude conf.d/*.conf;\ninclude none.d/*.conf;\nlast;\n");
        assertThat(nodes).extracting(ConfNode::name).containsExactly("first", "a", "b", "c", "last");
        assertThat(nodes.get(1).file()).isEqualTo(dir.resolve("conf/conf.d/a.conf"));
        assertThat(nodes.get(1).line()).isEqualTo(1);
    }

    @Test
    void includesNestAndResolveAgainstTheMainFilesDirectory() throws Exception {
        write("conf/sites/site.conf", "server {\n    include snippets/common.conf;\n}\n");
        write("conf/snippets/common.conf", "listen 80;\ninclude snippets/deeper.conf;\n");
        write("conf/snippets/deeper.conf", "server_name deep;\n");
        List<ConfNode> nodes = parse("http {\n    include sites/site.conf;\n}\n");
        ConfNode server = nodes.get(0).children().get(0);
        assertThat(server.children()).extracting(ConfNode::name).containsExactly("listen", "server_name");
        assertThat(server.children().get(1).file()).isEqualTo(dir.resolve("conf/snippets/deeper.conf"));
    }

    @Test
    void anAbsoluteIncludeIsReadAsIs() throws Exception {
        Path other = write("elsewhere/extra.conf", "extra;\n");
        assertThat(parse("include " + other + ";\n")).extracting(ConfNode::name).containsExactly("extra");
    }

    @Test
    void includeMayStandInsideABlockAndTheIncludedTextJoinsIt() throws Exception {
        write("conf/mime.types", "types {\n    text/html html;\n}\n");
        List<ConfNode> nodes = parse("http {\n    include mime.types;\n    default_type text/plain;\n}\n");
        assertThat(nodes.get(0).children()).extracting(ConfNode::name).containsExactly("types", "default_type");
    }

    @Test
    void everyFileReadIsKeptVerbatimInReadingOrder() throws Exception {
        write("conf/conf.d/x.conf", "x;   # as written\n");
        Path main = write("conf/nginx.conf", "include conf.d/*.conf;\n");
        ConfigParser parser = new ConfigParser(main.getParent());
        parser.parseFile(main);
        assertThat(parser.sources()).extracting(ConfigSource::path).containsExactly(main, dir.resolve("conf/conf.d/x.conf"));
        assertThat(parser.sources().get(1).text()).isEqualTo("x;   # as written\n");
    }

    @Test
    void aFileIncludedTwiceIsKeptOnceForTheDump() throws Exception {
        write("conf/common.conf", "x;\n");
        Path main = write("conf/nginx.conf", "include common.conf;\ninclude common.conf;\n");
        ConfigParser parser = new ConfigParser(main.getParent());
        assertThat(parser.parseFile(main)).hasSize(2);
        assertThat(parser.sources()).extracting(ConfigSource::path).containsExactly(main, dir.resolve("conf/common.conf"));
    }

    @Test
    void aSyntaxErrorLeavesTheDirectivesBeforeItAndAMarkerInItsPlace() throws Exception {
        Path main = write("conf/nginx.conf", "a;\nhttp {\n    b;\n    c d e\n");
        ConfigParser parser = new ConfigParser(main.getParent());
        List<ConfNode> nodes = parser.read(main);
        assertThat(parser.syntaxError().getMessage()).isEqualTo("unexpected end of file, expecting \";\" or \"}\" in " + main + ":5");
        assertThat(nodes).extracting(ConfNode::name).containsExactly("a", "http");
        List<ConfNode> inHttp = nodes.get(1).children();
        assertThat(inHttp.get(0).name()).isEqualTo("b");
        assertThat(inHttp.get(1).syntaxError()).isSameAs(parser.syntaxError());
        org.assertj.core.api.Assertions.assertThatThrownBy(inHttp.get(1)::throwIfSyntaxError).isSameAs(parser.syntaxError());
    }

    @Test
    void commandLineDirectivesAreParsedLikeAFile() throws Exception {
        List<ConfNode> nodes = new ConfigParser(dir).parseCommandLine("daemon off; worker_processes 2;");
        assertThat(nodes).extracting(ConfNode::name).containsExactly("daemon", "worker_processes");
        assertThat(nodes.get(0).file()).isEqualTo(ConfigException.COMMAND_LINE);
    }
}
