package dev.loomgate.gateway.tls;

import java.nio.file.Path;

/** Key material that cannot be used, with the file and the reason: {@code certs/api.key: not a PKCS#8 key}. */
public final class TlsMaterialException extends Exception {
    private final Path file;
    private final String reason;

    public TlsMaterialException(Path file, String reason) {
        this(file, reason, null);
    }

    public TlsMaterialException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    public String reason() {
        return reason;
    }
}
