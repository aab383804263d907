package dev.portico.cli;

import dev.portico.bytes.ByteStrings;
import java.util.List;

/**
 * nginx's command line: {@code -? -h -v -V -t -T -q -s signal -p prefix -e file -c file -g directives},
 * letters may be bundled ({@code -tq}), a value may follow its letter directly ({@code -cfile}).
 */
public final class Options {
    boolean help;
    boolean version;
    boolean versionFull;
    boolean test;
    boolean dump;
    boolean quiet;
    String signal;
    String prefix;
    String errorLog;
    String conf;
    String global;

    /** Parses the arguments; throws with nginx's wording (printed without a level, as nginx does). */
    static Options parse(String[] args) throws UsageException {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                throw new UsageException("invalid option: \"" + arg + "\"");
            }
            for (int j = 1; j < arg.length(); j++) {
                char c = arg.charAt(j);
                switch (c) {
                    case '?', 'h' -> {
                        o.help = true;
                        o.version = true;
                    }
                    case 'v' -> o.version = true;
                    case 'V' -> {
                        o.version = true;
                        o.versionFull = true;
                    }
                    case 't' -> o.test = true;
                    case 'T' -> {
                        o.test = true;
                        o.dump = true;
                    }
                    case 'q' -> o.quiet = true;
                    case 'p', 'c', 'e', 'g', 's' -> {
                        String value;
                        if (j + 1 < arg.length()) {
                            value = arg.substring(j + 1);
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            throw new UsageException("option \"-" + c + "\" requires " + what(c));
                        }
                        switch (c) {
                            case 'p' -> o.prefix = value;
                            case 'c' -> o.conf = value;
                            // like the configuration file, -e and -g are bytes (ByteStrings)
                            case 'e' -> o.errorLog = ByteStrings.fromText(value);
                            case 'g' -> o.global = ByteStrings.fromText(value);
                            default -> {
                                if (!List.of("stop", "quit", "reopen", "reload").contains(value)) {
                                    throw new UsageException("invalid option: \"-s " + value + "\"");
                                }
                                o.signal = value;
                            }
                        }
                        j = arg.length();
                    }
                    default -> throw new UsageException("invalid option: \"" + c + "\"");
                }
            }
        }
        return o;
    }

    private static String what(char c) {
        return switch (c) {
            case 'p' -> "directory name";
            case 'c', 'e' -> "file name";
            default -> "parameter";
        };
    }

    static final class UsageException extends Exception {
        UsageException(String m) {
            super(m);
        }
    }
}
