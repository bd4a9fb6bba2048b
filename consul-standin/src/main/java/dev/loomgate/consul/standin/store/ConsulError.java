package dev.loomgate.consul.standin.store;

/** An error that the HTTP layer turns into a plain-text response with this status (SPEC G-4, G-5). */
public final class ConsulError extends RuntimeException {
    private final int status;

    public ConsulError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ConsulError badRequest(String message) {
        return new ConsulError(400, message);
    }

    public static ConsulError notFound(String message) {
        return new ConsulError(404, message);
    }

    public static ConsulError internal(String message) {
        return new ConsulError(500, message);
    }
}
