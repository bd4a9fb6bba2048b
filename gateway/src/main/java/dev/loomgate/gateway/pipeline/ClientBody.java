package dev.loomgate.gateway.pipeline;

import java.io.InputStream;
import java.util.OptionalLong;

/** The client's request body as the front door frames it (read at most once). */
public interface ClientBody {
    /** Whether the request has a body at all (a Content-Length, even 0, or chunked coding). */
    boolean present();

    /** The declared length; empty for a chunked body. */
    OptionalLong length();

    /** The body's bytes; reading past the body's end returns -1. Counted for the access log. */
    InputStream stream();
}
