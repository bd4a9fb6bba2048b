package dev.loomgate.gateway.observe;

import java.util.List;
import java.util.Optional;

/**
 * W3C Trace Context for one request. When the request is not traced (no {@code tracing:} block, or
 * sampling said no), a valid incoming {@code traceparent} is forwarded unchanged, with its
 * {@code tracestate}: the node records no span then, so a new span id would name a parent that no
 * tracing backend ever receives and break the trace's tree. A traced request sends each try's own
 * client span instead ({@code trace.RequestTrace}, {@code call.TracedCall}). A missing or
 * invalid {@code traceparent} is replaced by a new one (random trace and parent ids, flags
 * {@code 00}: the node did not sample), and an orphaned {@code tracestate} is dropped, as the
 * spec requires.
 *
 * @param traceparent the header value to send upstream
 * @param tracestate  the header value to send upstream, if any
 * @param traceId     the 32 hex digits for the access log
 * @param created     whether this node created the context
 */
public record TraceContext(String traceparent, Optional<String> tracestate, String traceId, boolean created) {
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    /**
     * The client's context when its (first) traceparent is valid, else a new one.
     *
     * @param traceparent the request's traceparent values (usually none or one)
     * @param tracestate  the request's tracestate values, joined when continued
     */
    public static TraceContext from(List<String> traceparent, List<String> tracestate) {
        if (!traceparent.isEmpty() && valid(traceparent.getFirst())) {
            String tp = traceparent.getFirst();
            String state = String.join(",", tracestate).trim();
            return new TraceContext(tp, state.isEmpty() ? Optional.empty() : Optional.of(state), tp.substring(3, 35), false);
        }
        String traceId = RequestIds.randomHex(32);
        return new TraceContext("00-" + traceId + "-" + RequestIds.randomHex(16) + "-00", Optional.empty(), traceId, true);
    }

    /** {@code version-traceid-parentid-flags}, lower-case hex, ids not all zero, version not ff. */
    static boolean valid(String tp) {
        if (tp.length() < 55 || !lowerHex(tp, 0, 2) || tp.startsWith("ff") || tp.charAt(2) != '-'
                || !lowerHex(tp, 3, 35) || tp.charAt(35) != '-' || !lowerHex(tp, 36, 52) || tp.charAt(52) != '-'
                || !lowerHex(tp, 53, 55)) {
            return false;
        }
        if (tp.startsWith("00") ? tp.length() != 55 : tp.length() > 55 && tp.charAt(55) != '-') {
            return false;
        }
        return !allZero(tp, 3, 35) && !allZero(tp, 36, 52);
    }

    private static boolean lowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
