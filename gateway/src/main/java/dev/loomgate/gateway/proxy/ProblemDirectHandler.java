package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.http.Problem;

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
        String text = message == null ? "" : message;
        // Helidon reports oversized headers as a 400 "Header size exceeded"; clients expect 431
        boolean headersTooLarge = status.code() == 431 || text.contains("Header size exceeded");
        Problem.Type type = headersTooLarge ? Problem.Type.HEADERS_TOO_LARGE : type(status.code());
        // the body's status is the HTTP status, always: a code we have no type for is answered as its class's generic one
        Status answer = type.status() == status.code() ? status : Status.create(type.status());
        String requestId = RequestIds.generate();
        String detail = detail(type, text);
        headers.set(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        headers.set(RequestIds.HEADER_NAME, requestId);
        return TransportResponse.builder()
                .status(answer)
                .headers(headers)
                .keepAlive(eventType.keepAlive())
                .entity(new Problem(type, detail).toJson("", requestId))
                .build();
    }

    /** The problem type for a status Helidon chose; unknown codes fall back to 400 or 500. */
    static Problem.Type type(int code) {
        return switch (code) {
            case 400 -> Problem.Type.BAD_REQUEST;
            case 403 -> Problem.Type.FORBIDDEN;
            case 404 -> Problem.Type.NOT_FOUND;
            case 405 -> Problem.Type.METHOD_NOT_ALLOWED;
            case 408 -> Problem.Type.REQUEST_TIMEOUT;
            case 413 -> Problem.Type.PAYLOAD_TOO_LARGE;
            case 414 -> Problem.Type.URI_TOO_LONG;
            case 431 -> Problem.Type.HEADERS_TOO_LARGE;
            case 501 -> Problem.Type.NOT_IMPLEMENTED;
            case 503 -> Problem.Type.OVERLOADED;
            case 505 -> Problem.Type.HTTP_VERSION_NOT_SUPPORTED;
            default -> code >= 400 && code < 500 ? Problem.Type.BAD_REQUEST : Problem.Type.INTERNAL;
        };
    }

    /** A short detail without echoing raw client bytes (Helidon appends hex dumps to some messages). */
    private static String detail(Problem.Type type, String message) {
        if (type == Problem.Type.HEADERS_TOO_LARGE) {
            return "request header section exceeds the configured max-header-size";
        }
        String firstLine = message.lines().findFirst().orElse("").trim();
        int dump = firstLine.indexOf(" 0000");
        if (dump > 0) {
            firstLine = firstLine.substring(0, dump);
        }
        if (firstLine.length() > 200) {
            firstLine = firstLine.substring(0, 200);
        }
        return firstLine.isEmpty() ? type.title() : firstLine;
    }
}
