package dev.portico.lifecycle;

/** A start that cannot go on (bind failure, pid file); the message is nginx-worded, logged as [emerg]. */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }
}
