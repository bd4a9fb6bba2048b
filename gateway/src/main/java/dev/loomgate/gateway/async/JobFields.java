package dev.loomgate.gateway.async;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The names of a job's stored fields and their encodings. Everything is a string so any broker can hold it: the
 * body and the result body are base64, header lists are {@code name: value} lines.
 */
public final class JobFields {
    public static final String STATE = "state";
    public static final String ATTEMPTS = "attempts";
    public static final String ROUTE = "route";
    public static final String CONSUMER = "consumer";
    public static final String METHOD = "method";
    public static final String TARGET = "target";
    public static final String HEADERS = "headers";
    public static final String BODY = "body";
    public static final String CREATED = "created";
    public static final String UPDATED = "updated";
    public static final String REQUEST_ID = "request-id";
    public static final String TRACEPARENT = "traceparent";
    public static final String CLIENT_IP = "client-ip";
    public static final String HOST = "host";
    public static final String IDEMPOTENCY_KEY = "idempotency-key";
    public static final String NEXT_ATTEMPT = "next-attempt";
    public static final String LAST_ERROR = "last-error";
    public static final String NODE = "node";
    public static final String RESULT_STATUS = "result-status";
    public static final String RESULT_HEADERS = "result-headers";
    public static final String RESULT_BODY = "result-body";
    public static final String FINISHED = "finished";

    private JobFields() {
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static byte[] unbase64(String text) {
        return text == null || text.isEmpty() ? new byte[0] : Base64.getDecoder().decode(text);
    }

    /** Header pairs as lines; names and values never hold a line break (the HTTP parser refused those). */
    public static String headers(List<Map.Entry<String, String>> pairs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : pairs) {
            sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        return sb.toString();
    }

    public static List<Map.Entry<String, String>> headers(String text) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                out.add(Map.entry(line.substring(0, colon), line.substring(colon + 2)));
            }
        }
        return out;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
