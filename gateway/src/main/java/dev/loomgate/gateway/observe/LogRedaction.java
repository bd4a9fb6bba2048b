package dev.loomgate.gateway.observe;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that keeps credentials out of log lines (docs/OBSERVABILITY.md, "Log hygiene"). The access log
 * records the path only, never the query string or headers; application log messages pass through
 * {@link #message(String)} as a safety net for a value that slipped into an exception text.
 */
public final class LogRedaction {
    static final String REDACTED = "[redacted]";
    // A credential name, ':' or '=', then its value: "Authorization: Bearer x", "api_key=x", "Cookie: a=b; c=d".
    // A bare word after the name is not a value ("token bucket", "session expired"): only ':' or '=' bind one.
    private static final Pattern CREDENTIAL = Pattern.compile(
            "(?i)\\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[_-]?key|access[_-]?token"
                    + "|admin[_-]?token|token|password|passwd|secret|session)(\"?\\s*[:=]\\s*\"?)"
                    + "((?:bearer|basic)\\s+)?([^\\s\"&,;]+(?:;\\s*[^\\s\"&,;=]+=[^\\s\"&,;]+)*)");
    // An HTTP credential scheme anywhere ("sent Bearer x"): the token after it. Capitalized, as HTTP sends it, so
    // prose ("basic check") stays.
    private static final Pattern SCHEME = Pattern.compile("\\b(Bearer|Basic)(\\s+)(?!\\[redacted\\])([^\\s\"&,;]+)");

    private LogRedaction() {
    }

    /** The path without any query string: a query can carry {@code api_key=...} and is never logged. */
    public static String path(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    /** The message with every credential value replaced by {@value #REDACTED}. */
    public static String message(String message) {
        String out = message;
        Matcher m = CREDENTIAL.matcher(out);
        if (m.find()) {
            StringBuilder sb = new StringBuilder(out.length());
            do {
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2)
                        + (m.group(3) == null ? "" : m.group(3)) + REDACTED));
            } while (m.find());
            out = m.appendTail(sb).toString();
        }
        Matcher s = SCHEME.matcher(out);
        return s.find() ? s.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2) + REDACTED)) : out;
    }
}
