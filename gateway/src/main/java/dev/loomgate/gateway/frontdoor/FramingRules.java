package dev.loomgate.gateway.frontdoor;

/** The request framing fields, strictly (RFC 9112 §6.1-6.3): Content-Length and Transfer-Encoding values. */
final class FramingRules {
    private FramingRules() {
    }

    /** 1*DIGIT; a list or repeated field is accepted only when every value is identical. */
    static long contentLength(String v) throws RequestRejected {
        long result = -1;
        int i = 0;
        int n = v.length();
        while (i <= n) {
            int end = v.indexOf(',', i);
            if (end < 0) {
                end = n;
            }
            int from = i;
            int to = end;
            while (from < to && (v.charAt(from) == ' ' || v.charAt(from) == '\t')) {
                from++;
            }
            while (to > from && (v.charAt(to - 1) == ' ' || v.charAt(to - 1) == '\t')) {
                to--;
            }
            if (from == to || to - from > 18) {
                throw RequestHeadParser.bad("invalid Content-Length");
            }
            long value = 0;
            for (int k = from; k < to; k++) {
                char c = v.charAt(k);
                if (c < '0' || c > '9') {
                    throw RequestHeadParser.bad("invalid Content-Length");
                }
                value = value * 10 + (c - '0');
            }
            if (result >= 0 && result != value) {
                throw RequestHeadParser.bad("differing Content-Length values");
            }
            result = value;
            i = end + 1;
        }
        return result;
    }

    /** Only chunked is implemented; it must be the final coding and appear once. */
    static void checkTransferEncoding(String v) throws RequestRejected {
        String[] codings = v.split(",");
        int last = -1;
        for (int i = codings.length - 1; i >= 0; i--) {
            if (!codings[i].isBlank()) {
                last = i;
                break;
            }
        }
        if (last < 0) {
            throw RequestHeadParser.bad("empty Transfer-Encoding");
        }
        boolean otherCoding = false;
        for (int i = 0; i <= last; i++) {
            String c = codings[i].strip();
            if (c.isEmpty()) {
                continue;
            }
            boolean chunked = c.equalsIgnoreCase("chunked");
            if (i == last && !chunked) {
                throw RequestHeadParser.bad("chunked must be the final transfer coding of a request");
            }
            if (i < last && chunked) {
                throw RequestHeadParser.bad("chunked applied more than once");
            }
            if (!chunked) {
                for (int k = 0; k < c.length(); k++) {
                    char ch = c.charAt(k);
                    if (ch >= 128 || !RequestHeadParser.TCHAR[ch]) {
                        throw RequestHeadParser.bad("invalid Transfer-Encoding");
                    }
                }
                otherCoding = true;
            }
        }
        if (otherCoding) {
            throw new RequestRejected(Rejection.Kind.NOT_IMPLEMENTED, "only the chunked transfer coding is implemented");
        }
    }
}
