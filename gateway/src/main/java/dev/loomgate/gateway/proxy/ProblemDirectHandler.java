package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.observe.RequestIds;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Turns the errors Helidon answers by itself, before any handler runs (malformed request line,
 * oversized headers or body, too many concurrent requests), into the same problem+json bodies
 * the proxy sends.
 */
public final class ProblemDirectHandler implements DirectHandler {
    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        Problem.Type type = switch (status.code()) {
            case 413 -> Problem.Type.PAYLOAD_TOO_LARGE;
            case 431 -> Problem.Type.HEADERS_TOO_LARGE;
            case 503 -> Problem.Type.OVERLOADED;
            case 500 -> Problem.Type.INTERNAL;
            default -> Problem.Type.BAD_REQUEST;
        };
        String requestId = RequestIds.generate();
        String detail = message == null || message.isBlank() ? type.title() : message;
        headers.set(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        headers.set(HeaderNames.X_REQUEST_ID, requestId);
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .keepAlive(eventType.keepAlive())
                .entity(new Problem(type, detail).toJson("", requestId))
                .build();
    }
}
