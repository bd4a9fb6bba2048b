package dev.loomgate.gateway.frontdoor;

import java.io.InputStream;
import java.net.InetAddress;

/** One request as the front door validated it: its head, the client and a framed body stream. */
public final class FrontDoorRequest {
    private final RequestHead head;
    private final InetAddress client;
    private final int localPort;
    private final boolean secure;
    private final BodyInput body;

    FrontDoorRequest(RequestHead head, InetAddress client, int localPort, boolean secure, BodyInput body) {
        this.head = head;
        this.client = client;
        this.localPort = localPort;
        this.secure = secure;
        this.body = body;
    }

    public String method() {
        return head.method();
    }

    /** The request-target exactly as sent. */
    public String target() {
        return head.target();
    }

    /** Raw path (still percent-encoded). */
    public String path() {
        return head.path();
    }

    /** Raw query without {@code ?}; empty when none. */
    public String rawQuery() {
        return head.rawQuery();
    }

    public HttpVersion version() {
        return head.version();
    }

    public HeaderFields headers() {
        return head.headers();
    }

    /** Whether a body follows the head (Content-Length > 0 or chunked). */
    public boolean hasBody() {
        return head.hasBody();
    }

    /** The declared length, or -1 for a chunked (or absent) body. */
    public long contentLength() {
        return head.framing() == RequestHead.Framing.LENGTH ? head.contentLength() : -1;
    }

    /**
     * The body, delimited by its framing; reading it sends {@code 100 Continue} when the client
     * waits for it. Failures are {@link ClientBodyException}s.
     */
    public InputStream body() {
        return body;
    }

    public InetAddress clientAddress() {
        return client;
    }

    public int localPort() {
        return localPort;
    }

    /** Whether the request came over TLS on this listener ({@code front-door.tls}); the scheme forwarded upstream. */
    public boolean secure() {
        return secure;
    }
}
