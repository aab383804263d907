package dev.portico.http;

/**
 * Why a request head was refused before any phase ran: the status to answer with (400, 414, 494,
 * 501, 505) and the reason written to the error log, worded as nginx words it.
 */
final class RequestRejectedException extends RuntimeException {
    private final int status;

    RequestRejectedException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
