package dev.portico.cli;

import java.util.ArrayList;
import java.util.List;

/** nginx's command line: {@code -? -h -v -V -t -T -q -s signal -p prefix -e file -c file -g directives}. */
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

    /** Parses the arguments; throws with nginx's wording on a bad option. */
    static Options parse(String[] args) throws UsageException {
        Options o = new Options();
        List<String> a = new ArrayList<>(List.of(args));
        for (int i = 0; i < a.size(); i++) {
            String arg = a.get(i);
            if (!arg.startsWith("-") || arg.length() < 2) {
                throw new UsageException("invalid option: \"" + arg + "\"");
            }
            for (int j = 1; j < arg.length(); j++) {
                char c = arg.charAt(j);
                switch (c) {
                    case '?', 'h' -> o.help = true;
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
                        } else if (i + 1 < a.size()) {
                            value = a.get(++i);
                        } else {
                            throw new UsageException("option \"-" + c + "\" requires " + what(c));
                        }
                        switch (c) {
                            case 'p' -> o.prefix = value;
                            case 'c' -> o.conf = value;
                            case 'e' -> o.errorLog = value;
                            case 'g' -> o.global = value;
                            default -> {
                                if (!List.of("stop", "quit", "reopen", "reload").contains(value)) {
                                    throw new UsageException("invalid option: \"-s " + value + "\"");
                                }
                                o.signal = value;
                            }
                        }
                        j = arg.length();
                    }
                    default -> throw new UsageException("invalid option: \"" + arg.substring(j) + "\"");
                }
            }
        }
        return o;
    }

    private static String what(char c) {
        return switch (c) {
            case 'p' -> "directory name";
            case 'c' -> "file name";
            case 'e' -> "file name";
            case 'g' -> "parameter";
            default -> "signal number";
        };
    }

    static final class UsageException extends Exception {
        UsageException(String m) {
            super(m);
        }
    }
}
