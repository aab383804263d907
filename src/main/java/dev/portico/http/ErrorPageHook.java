package dev.portico.http;

/**
 * Where {@code error_page} plugs into error handling: the rewrite package installs the real
 * handler; without one, errors get the built-in page.
 */
public final class ErrorPageHook {
    /** Returns true when it took over the response. */
    @FunctionalInterface
    public interface Handler {
        boolean handle(Exchange ex, int status);
    }

    private static volatile Handler handler = (ex, status) -> false;

    private ErrorPageHook() {
    }

    public static void install(Handler h) {
        handler = h;
    }

    static boolean tryHandle(Exchange ex, int status) {
        return handler.handle(ex, status);
    }
}
