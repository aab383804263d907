package dev.portico.config;

import dev.portico.bytes.ByteStrings;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * nginx's configuration grammar: words separated by white space, directives ended by {@code ;}
 * or a {@code { }} block, {@code #} comments, single and double quotes with backslash escapes,
 * {@code ${var}} kept inside a word. {@code include} is expanded where it stands, relative to the
 * directory of the main file (nginx's conf prefix), glob patterns in sorted order.
 *
 * <p>nginx reads and applies directives in one pass, so of two errors in a file the first one
 * in reading order is reported. To keep that order while parsing before dispatching, a syntax
 * error ends the parse and leaves a marker node where it occurred ({@link ConfNode#syntaxError()});
 * the dispatcher throws it when it gets there, after any error in the directives before it.
 * Like nginx, an error is reported at the line where the directive's {@code ;} or {@code {} stands.
 */
public final class ConfigParser {

    private final Path confDir;
    private final List<ConfigSource> sources = new ArrayList<>();
    private int includeDepth;
    /** The syntax error that ended the parse, if any. */
    private ConfigException stop;

    public ConfigParser(Path confDir) {
        this.confDir = confDir;
    }

    /** Every file read so far, in reading order. */
    public List<ConfigSource> sources() {
        return sources;
    }

    /** Parses a whole file: its top-level directives. Throws the first syntax error. */
    public List<ConfNode> parseFile(Path file) throws ConfigException {
        List<ConfNode> nodes = read(file);
        if (stop != null) {
            throw stop;
        }
        return nodes;
    }

    /**
     * Parses a file as far as it is well-formed: on a syntax error, the directives before it and a
     * marker node in its place ({@link #syntaxError()} tells the error). Only a main file that
     * cannot be opened throws.
     */
    public List<ConfNode> read(Path file) throws ConfigException {
        return readFile(file, null, 0);
    }

    /** The syntax error that ended the last {@link #read}, or null. */
    public ConfigException syntaxError() {
        return stop;
    }

    /** Parses {@code -g} directives (nginx's "in command line"; blocks are not allowed there). */
    public List<ConfNode> parseCommandLine(String text) throws ConfigException {
        Lexer lexer = new Lexer(text, ConfigException.COMMAND_LINE);
        List<ConfNode> out = new ArrayList<>();
        parseBlock(lexer, out, false);
        if (stop != null) {
            throw stop;
        }
        return out;
    }

    private List<ConfNode> readFile(Path file, Path fromFile, int fromLine) throws ConfigException {
        String text;
        try {
            // bytes, as nginx reads it: a UTF-8 "é" in a location matches the URI bytes C3 A9
            text = ByteStrings.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("open() \"" + file + "\" failed (2: No such file or directory)", fromFile, fromLine);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("open() \"" + file + "\" failed (13: Permission denied)", fromFile, fromLine);
        } catch (IOException e) {
            String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
            if ("Is a directory".equals(reason)) {
                reason = "21: Is a directory";
            }
            throw new ConfigException("open() \"" + file + "\" failed (" + reason + ")", fromFile, fromLine);
        }
        // -T shows a file included twice once, as nginx's dump does
        if (sources.stream().noneMatch(src -> src.path().equals(file))) {
            sources.add(new ConfigSource(file, text));
        }
        List<ConfNode> out = new ArrayList<>();
        parseBlock(new Lexer(text, file), out, false);
        return out;
    }

    /** Parses text as if it were the file {@code file}; throws the first syntax error. */
    public List<ConfNode> parseText(String text, Path file) throws ConfigException {
        Lexer lexer = new Lexer(text, file);
        List<ConfNode> out = new ArrayList<>();
        parseBlock(lexer, out, false);
        if (stop != null) {
            throw stop;
        }
        return out;
    }

    /** Ends the parse: the error, in place, for the dispatcher to meet. */
    private void fail(List<ConfNode> out, ConfigException e) {
        stop = e;
        out.add(ConfNode.syntaxError(e));
    }

    private void parseBlock(Lexer lx, List<ConfNode> out, boolean inBlock) {
        while (stop == null) {
            Lexer.Statement st;
            try {
                st = lx.next();
            } catch (ConfigException e) {
                fail(out, e);
                return;
            }
            switch (st.end()) {
                case EOF -> {
                    if (!st.words().isEmpty()) {
                        fail(out, new ConfigException(lx.commandLine()
                            ? "unexpected end of parameter, expecting \";\"" : "unexpected end of file, expecting \";\" or \"}\"",
                            lx.file(), st.line()));
                    } else if (inBlock) {
                        fail(out, new ConfigException("unexpected end of file, expecting \"}\"", lx.file(), st.line()));
                    }
                    return;
                }
                case BLOCK_END -> {
                    if (!st.words().isEmpty() || !inBlock) {
                        fail(out, new ConfigException("unexpected \"}\"", lx.file(), st.line()));
                    }
                    return;
                }
                case SEMICOLON -> {
                    if (st.words().isEmpty()) {
                        fail(out, new ConfigException("unexpected \";\"", lx.file(), st.line()));
                        return;
                    }
                    String name = st.words().get(0);
                    List<String> args = List.copyOf(st.words().subList(1, st.words().size()));
                    if (name.equals("include")) {
                        try {
                            if (args.size() != 1) {
                                throw new ConfigException("invalid number of arguments in \"include\" directive", lx.file(), st.line());
                            }
                            include(args.get(0), lx.file(), st.line(), out);
                        } catch (ConfigException e) {
                            fail(out, e);
                            return;
                        }
                    } else {
                        out.add(new ConfNode(name, args, lx.file(), st.line(), null));
                    }
                }
                case BLOCK_START -> {
                    if (st.words().isEmpty()) {
                        fail(out, new ConfigException("unexpected \"{\"", lx.file(), st.line()));
                        return;
                    }
                    if (lx.commandLine()) {
                        fail(out, new ConfigException("block directives are not supported in -g option", lx.file(), st.line()));
                        return;
                    }
                    String name = st.words().get(0);
                    if (name.equals("include")) {
                        fail(out, new ConfigException("directive \"include\" is not terminated by \";\"", lx.file(), st.line()));
                        return;
                    }
                    List<String> args = List.copyOf(st.words().subList(1, st.words().size()));
                    List<ConfNode> children = new ArrayList<>();
                    parseBlock(lx, children, true);
                    out.add(new ConfNode(name, args, lx.file(), st.line(), List.copyOf(children)));
                }
            }
        }
    }

    private void include(String pattern, Path file, int line, List<ConfNode> out) throws ConfigException {
        if (++includeDepth > 64) {
            throw new ConfigException("include nesting is too deep", file, line);
        }
        try {
            Path p = confDir.resolve(ByteStrings.toText(pattern)).normalize();
            if (!hasGlob(pattern)) {
                out.addAll(readFile(p, file, line));
                return;
            }
            // nginx globs the last components; a pattern matching nothing is not an error.
            Path dir = p.getParent();
            List<Path> matches = new ArrayList<>();
            if (dir != null && Files.isDirectory(dir)) {
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path c : ds) {
                        if (m.matches(c.getFileName()) && !Files.isDirectory(c)) {
                            matches.add(c);
                        }
                    }
                } catch (IOException e) {
                    throw new ConfigException("glob() \"" + p + "\" failed (" + e.getMessage() + ")", file, line);
                }
            }
            matches.sort(null);
            for (Path m : matches) {
                out.addAll(readFile(m, file, line));
                if (stop != null) {
                    return;
                }
            }
        } finally {
            includeDepth--;
        }
    }

    private static boolean hasGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    /** Splits text into statements the way nginx's ngx_conf_read_token does. */
    static final class Lexer {
        enum End { SEMICOLON, BLOCK_START, BLOCK_END, EOF }

        record Statement(List<String> words, End end, int line) {
        }

        private final String s;
        private final Path file;
        private int pos;
        private int line = 1;

        Lexer(String s, Path file) {
            this.s = s;
            this.file = file;
        }

        Path file() {
            return file;
        }

        boolean commandLine() {
            return ConfigException.COMMAND_LINE.equals(file);
        }

        /** The next statement; its line is where its terminator stands (nginx reports errors there). */
        Statement next() throws ConfigException {
            List<String> words = new ArrayList<>();
            boolean needSpace = false;
            while (true) {
                if (pos >= s.length()) {
                    return new Statement(words, End.EOF, line);
                }
                char ch = s.charAt(pos);
                if (needSpace) {
                    if (isSpace(ch)) {
                        needSpace = false;
                        advance();
                        continue;
                    }
                    if (ch == ';') {
                        pos++;
                        return new Statement(words, End.SEMICOLON, line);
                    }
                    if (ch == '{') {
                        pos++;
                        return new Statement(words, End.BLOCK_START, line);
                    }
                    if (ch == ')') {
                        needSpace = false;
                        // nginx lets ")" follow a quoted word (e.g. if ($a = "b")) as the next word
                    } else {
                        throw new ConfigException("unexpected \"" + ch + "\"", file, line);
                    }
                }
                if (isSpace(ch)) {
                    advance();
                    continue;
                }
                switch (ch) {
                    case ';' -> {
                        pos++;
                        return new Statement(words, End.SEMICOLON, line);
                    }
                    case '{' -> {
                        pos++;
                        return new Statement(words, End.BLOCK_START, line);
                    }
                    case '}' -> {
                        pos++;
                        return new Statement(words, End.BLOCK_END, line);
                    }
                    case '#' -> {
                        while (pos < s.length() && s.charAt(pos) != '\n') {
                            pos++;
                        }
                        continue;
                    }
                    default -> {
                    }
                }
                if (ch == '"' || ch == '\'') {
                    words.add(quoted(ch));
                    needSpace = true;
                } else {
                    words.add(bare());
                }
            }
        }

        private String quoted(char q) throws ConfigException {
            pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw new ConfigException("unexpected end of file, expecting \";\" or \"}\"", file, line);
                }
                char ch = s.charAt(pos);
                if (ch == '\\' && pos + 1 < s.length()) {
                    char n = s.charAt(pos + 1);
                    switch (n) {
                        case '"', '\'', '\\' -> b.append(n);
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'n' -> b.append('\n');
                        default -> {
                            b.append('\\').append(n);
                            if (n == '\n') {
                                line++;
                            }
                        }
                    }
                    pos += 2;
                    continue;
                }
                if (ch == q) {
                    pos++;
                    return b.toString();
                }
                if (ch == '\n') {
                    line++;
                }
                b.append(ch);
                pos++;
            }
        }

        private String bare() {
            StringBuilder b = new StringBuilder();
            boolean variable = false;
            while (pos < s.length()) {
                char ch = s.charAt(pos);
                if (ch == '{' && variable) {
                    b.append(ch);
                    pos++;
                    variable = false;
                    continue;
                }
                variable = false;
                if (ch == '\\' && pos + 1 < s.length()) {
                    char n = s.charAt(pos + 1);
                    switch (n) {
                        case '"', '\'', '\\' -> b.append(n);
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'n' -> b.append('\n');
                        default -> b.append('\\').append(n);
                    }
                    pos += 2;
                    continue;
                }
                if (ch == '$') {
                    variable = true;
                } else if (isSpace(ch) || ch == ';' || ch == '{') {
                    break;
                }
                b.append(ch);
                pos++;
            }
            return b.toString();
        }

        private void advance() {
            if (s.charAt(pos) == '\n') {
                line++;
            }
            pos++;
        }

        private static boolean isSpace(char ch) {
            return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
        }
    }
}
