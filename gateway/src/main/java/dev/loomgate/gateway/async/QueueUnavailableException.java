package dev.loomgate.gateway.async;

/** The job broker did not answer (or refused the command): the client gets a 503, a worker tries again later. */
public final class QueueUnavailableException extends RuntimeException {
    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public QueueUnavailableException(String message) {
        super(message);
    }
}
