package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Strict RFC 9112 request-line and header-section parser over a {@link ConnectionInput} buffer. No
 * regex, no line copies: bytes are checked in place and only names and values become strings.
 * Every violation is a {@link RequestRejected}; the connection is then closed, so nothing after a
 * bad head can be read as a request. Lines must end in CRLF: a bare LF is rejected (RFC 9112 §2.2
 * lets a recipient accept it; refusing is the stricter, consistent choice for head and chunk lines).
 */
final class RequestHeadParser {
    /** tchar (RFC 9110 §5.6.2). */
    static final boolean[] TCHAR = new boolean[128];
    /** Bytes allowed in a path: pchar / "/" with "%" checked separately (RFC 3986). */
    private static final boolean[] PATH = new boolean[128];
    /** Bytes allowed in a query: visible ASCII except "#" (lenient: clients send [] | ^ unencoded). */
    private static final boolean[] QUERY = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
            PATH[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            PATH[c] = true;
            TCHAR[Character.toUpperCase(c)] = true;
            PATH[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (char c : "-._~!$&'()*+,;=:@/%".toCharArray()) {
            PATH[c] = true;
        }
        for (int c = 0x21; c < 0x7f; c++) {
            QUERY[c] = c != '#';
        }
    }

    private final FrontDoorSettings settings;

    RequestHeadParser(FrontDoorSettings settings) {
        this.settings = settings;
    }

    /** Reads and validates one request head; the input's timeouts are the caller's. */
    RequestHead parse(ConnectionInput in) throws RequestRejected, IOException {
        int end;
        try {
            end = in.readLine(settings.maxRequestLine());
        } catch (ConnectionInput.LineException e) {
            throw e.tooLong ? new RequestRejected(Rejection.Kind.URI_TOO_LONG,
                    "request line longer than " + settings.maxRequestLine() + " bytes (max-request-line)")
                    : new RequestRejected(Rejection.Kind.BAD_REQUEST, "request line: " + e.getMessage());
        }
        byte[] b = in.buf;
        int start = in.lineStart;
        int sp1 = indexOf(b, start, end, (byte) ' ');
        if (sp1 <= start) {
            throw bad("malformed request line");
        }
        int sp2 = indexOf(b, sp1 + 1, end, (byte) ' ');
        if (sp2 < 0) {
            throw bad("HTTP/0.9 requests (no version) are not supported");
        }
        for (int i = start; i < sp1; i++) {
            if (b[i] < 0 || !TCHAR[b[i]]) {
                throw bad("method is not a token");
            }
        }
        if (sp2 == sp1 + 1) {
            throw bad("malformed request line");
        }
        HttpVersion version = version(b, sp2 + 1, end);
        String method = method(b, start, sp1);
        String target = new String(b, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
        HeaderFields headers = headers(in);
        return frame(method, target, version, headers);
    }

    static RequestRejected bad(String detail) {
        return new RequestRejected(Rejection.Kind.BAD_REQUEST, detail);
    }

    private static int indexOf(byte[] b, int from, int to, byte v) {
        for (int i = from; i < to; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static HttpVersion version(byte[] b, int from, int to) throws RequestRejected {
        int len = to - from;
        if (len == 8 && b[from] == 'H' && b[from + 1] == 'T' && b[from + 2] == 'T' && b[from + 3] == 'P'
                && b[from + 4] == '/' && isDigit(b[from + 5]) && b[from + 6] == '.' && isDigit(b[from + 7])) {
            if (b[from + 5] == '1' && b[from + 7] == '1') {
                return HttpVersion.HTTP_1_1;
            }
            if (b[from + 5] == '1' && b[from + 7] == '0') {
                return HttpVersion.HTTP_1_0;
            }
            throw new RequestRejected(Rejection.Kind.VERSION_NOT_SUPPORTED,
                    "only HTTP/1.1 and HTTP/1.0 are supported");
        }
        throw bad("malformed HTTP version");
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Common methods without allocating a string. */
    private static String method(byte[] b, int from, int to) {
        int len = to - from;
        if (len == 3 && b[from] == 'G' && b[from + 1] == 'E' && b[from + 2] == 'T') {
            return "GET";
        }
        if (len == 4 && b[from] == 'P' && b[from + 1] == 'O' && b[from + 2] == 'S' && b[from + 3] == 'T') {
            return "POST";
        }
        return new String(b, from, len, StandardCharsets.ISO_8859_1);
    }

    private HeaderFields headers(ConnectionInput in) throws RequestRejected, IOException {
        HeaderFields headers = new HeaderFields(16);
        readFields(in, headers, settings.maxHeaderSize(), settings.maxHeaderCount(), "header");
        return headers;
    }

    /**
     * Reads field lines up to the empty line, with the same rules for the header section and a
     * chunked body's trailer section.
     */
    static void readFields(ConnectionInput in, HeaderFields into, int maxBytes, int maxCount, String what)
            throws RequestRejected, IOException {
        int total = 0;
        while (true) {
            int end;
            try {
                end = in.readLine(maxBytes - total);
            } catch (ConnectionInput.LineException e) {
                throw e.tooLong ? tooLarge(what, maxBytes) : bad(what + " section: " + e.getMessage());
            }
            int start = in.lineStart;
            if (end == start) {
                return;
            }
            total += end - start + 2;
            if (total > maxBytes) {
                throw tooLarge(what, maxBytes);
            }
            if (into.size() >= maxCount) {
                throw new RequestRejected(Rejection.Kind.HEADERS_TOO_LARGE,
                        "more than " + maxCount + " " + what + " fields (max-header-count)");
            }
            byte[] b = in.buf;
            if (b[start] == ' ' || b[start] == '\t') {
                throw bad("obsolete line folding in the " + what + " section");
            }
            int colon = start;
            while (colon < end && b[colon] != ':') {
                if (b[colon] < 0 || !TCHAR[b[colon]]) {
                    throw bad(what + " field name is not a token (no whitespace before the colon)");
                }
                colon++;
            }
            if (colon == end || colon == start) {
                throw bad(colon == start ? "empty " + what + " field name" : what + " line without a colon");
            }
            int from = colon + 1;
            int to = end;
            while (from < to && (b[from] == ' ' || b[from] == '\t')) {
                from++;
            }
            while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
                to--;
            }
            for (int i = from; i < to; i++) {
                int c = b[i] & 0xff;
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw bad(what + " field value contains a control character");
                }
            }
            into.add(new String(b, start, colon - start, StandardCharsets.ISO_8859_1),
                    new String(b, from, to - from, StandardCharsets.ISO_8859_1));
        }
    }

    private static RequestRejected tooLarge(String what, int max) {
        return new RequestRejected(Rejection.Kind.HEADERS_TOO_LARGE,
                what + " section larger than " + max + " bytes (max-header-size)");
    }

    /** Target form, Host, framing and connection options (RFC 9112 §3, §6, §9). */
    private RequestHead frame(String method, String target, HttpVersion version, HeaderFields h)
            throws RequestRejected {
        String path;
        String query = "";
        String authority = null;
        if (method.equals("CONNECT")) {
            throw new RequestRejected(Rejection.Kind.NOT_IMPLEMENTED, "CONNECT is not supported");
        }
        char first = target.charAt(0);
        if (first == '/') {
            int q = checkTarget(target, 0);
            path = q < 0 ? target : target.substring(0, q);
            query = q < 0 ? "" : target.substring(q + 1);
        } else if (first == '*' && target.length() == 1) {
            if (!method.equals("OPTIONS")) {
                throw bad("asterisk-form target is only allowed for OPTIONS");
            }
            path = "*";
        } else if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
            // absolute-form (RFC 9112 §3.2.2): the target's authority replaces Host
            int authStart = target.indexOf("//") + 2;
            int authEnd = authStart;
            while (authEnd < target.length() && target.charAt(authEnd) != '/' && target.charAt(authEnd) != '?') {
                authEnd++;
            }
            authority = target.substring(authStart, authEnd);
            if (authority.isEmpty() || !validHost(authority)) {
                throw bad("absolute-form target without a valid authority");
            }
            String rest = authEnd == target.length() ? "/" : target.charAt(authEnd) == '?' ? "/" + target.substring(authEnd) : target.substring(authEnd);
            int q = checkTarget(rest, 0);
            path = q < 0 ? rest : rest.substring(0, q);
            query = q < 0 ? "" : rest.substring(q + 1);
        } else {
            throw bad("request target must be an absolute path");
        }

        int hosts = 0;
        String contentLength = null;
        String transferEncoding = null;
        boolean close = false;
        boolean keepAliveToken = false;
        boolean upgradeToken = false;
        boolean expectContinue = false;
        String upgrade = null;
        for (int i = 0; i < h.size(); i++) {
            String n = h.name(i);
            String v = h.value(i);
            switch (n.length()) {
                case 4 -> {
                    if (n.equalsIgnoreCase("host")) {
                        hosts++;
                        if (!validHost(v)) {
                            throw bad("invalid Host header");
                        }
                    }
                }
                case 6 -> {
                    if (n.equalsIgnoreCase("expect") && v.equalsIgnoreCase("100-continue")) {
                        expectContinue = true;
                    }
                }
                case 7 -> {
                    if (n.equalsIgnoreCase("upgrade")) {
                        upgrade = upgrade == null ? v : upgrade + "," + v;
                    }
                }
                case 10 -> {
                    if (n.equalsIgnoreCase("connection")) {
                        for (String t : v.split(",")) {
                            String token = t.strip();
                            close |= token.equalsIgnoreCase("close");
                            keepAliveToken |= token.equalsIgnoreCase("keep-alive");
                            upgradeToken |= token.equalsIgnoreCase("upgrade");
                        }
                    }
                }
                case 14 -> {
                    if (n.equalsIgnoreCase("content-length")) {
                        contentLength = contentLength == null ? v : contentLength + "," + v;
                    }
                }
                case 17 -> {
                    if (n.equalsIgnoreCase("transfer-encoding")) {
                        transferEncoding = transferEncoding == null ? v : transferEncoding + "," + v;
                    }
                }
                default -> {
                }
            }
        }
        if (hosts > 1) {
            throw bad("more than one Host header");
        }
        if (hosts == 0 && version == HttpVersion.HTTP_1_1 && authority == null) {
            throw bad("HTTP/1.1 request without a Host header");
        }
        if (authority != null) {
            h.set("Host", authority);
        }
        RequestHead.Framing framing = RequestHead.Framing.NONE;
        long length = 0;
        if (transferEncoding != null) {
            if (contentLength != null) {
                throw bad("request has both Content-Length and Transfer-Encoding");
            }
            if (version == HttpVersion.HTTP_1_0) {
                throw bad("Transfer-Encoding in an HTTP/1.0 request");
            }
            FramingRules.checkTransferEncoding(transferEncoding);
            framing = RequestHead.Framing.CHUNKED;
        } else if (contentLength != null) {
            length = FramingRules.contentLength(contentLength);
            framing = RequestHead.Framing.LENGTH;
            if (settings.maxBodySize() > 0 && length > settings.maxBodySize()) {
                throw new RequestRejected(Rejection.Kind.PAYLOAD_TOO_LARGE,
                        "request body exceeds the configured max-body-size");
            }
        }
        boolean keepAlive = version == HttpVersion.HTTP_1_1 ? !close : keepAliveToken && !close;
        // an upgrade request names Upgrade in Connection (RFC 9110 §7.8); a bare Upgrade field is just dropped
        boolean upgradeRequested = false;
        if (upgrade != null && upgradeToken) {
            for (String t : upgrade.split(",")) {
                String p = t.strip();
                if (!p.isEmpty() && !p.regionMatches(true, 0, "h2c", 0, 3)) {
                    upgradeRequested = true; // h2c is ignored (RFC 9110 §7.8 lets a server ignore Upgrade)
                }
            }
        }
        return new RequestHead(method, target, path, query, version, h, framing, length, keepAlive,
                expectContinue && version == HttpVersion.HTTP_1_1, upgradeRequested);
    }

    /** Validates path and query bytes; returns the index of {@code ?} or -1. */
    private static int checkTarget(String t, int from) throws RequestRejected {
        boolean inQuery = false;
        int q = -1;
        for (int i = from; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c >= 128) {
                throw bad("request target contains a byte outside ASCII (percent-encode it)");
            }
            if (!inQuery && c == '?') {
                inQuery = true;
                q = i;
                continue;
            }
            if (!(inQuery ? QUERY[c] : PATH[c])) {
                throw bad("request target contains a character RFC 3986 does not allow there");
            }
            if (c == '%' && (i + 2 >= t.length() || !hex(t.charAt(i + 1)) || !hex(t.charAt(i + 2)))) {
                throw bad("request target has a malformed percent-encoding");
            }
        }
        return q;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** reg-name / IPv4 / [IPv6] with an optional port: no whitespace, userinfo, path or list. */
    private static boolean validHost(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == '\\' || c == '@' || c == ',' || c == '?' || c == '#') {
                return false;
            }
        }
        return true;
    }
}
