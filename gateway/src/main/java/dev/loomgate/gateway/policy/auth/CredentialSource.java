package dev.loomgate.gateway.policy.auth;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.pipeline.Exchange;

/**
 * Where a filter finds the credential: {@code bearer} (the {@code Authorization: Bearer} header),
 * {@code header:NAME}, {@code cookie:NAME} or {@code query:NAME}. The credential is removed from what goes
 * upstream only when the filter's {@code forward-credential: false} says so.
 */
public sealed interface CredentialSource {
    /**
     * Where a credential sits in a request's text: {@code source.substring(start, end)}, not copied out until
     * {@link #value()} is asked for (a repeated bearer token is looked up in place: the jwt filter's cache hit).
     */
    record Located(String source, int start, int end) {
        public Located {
            if (start < 0 || end > source.length() || start >= end) {
                throw new IllegalArgumentException("no credential at " + start + ".." + end);
            }
        }

        public static Located of(String whole) {
            return new Located(whole, 0, whole.length());
        }

        public int length() {
            return end - start;
        }

        /** The credential as a String of its own (the source itself when it is nothing else). */
        public String value() {
            return start == 0 && end == source.length() ? source : source.substring(start, end);
        }
    }

    /** The credential as sent; empty when the request has none at this place. */
    Optional<String> find(RequestView request);

    /** {@link #find}, without copying the credential out of the request's text where the source can. */
    default Optional<Located> locate(RequestView request) {
        return find(request).map(Located::of);
    }

    /** Removes the credential from the upstream request (query parameters stay: the path is the upstream's). */
    void strip(Exchange exchange);

    /** The config spelling. */
    String describe();

    record Bearer() implements CredentialSource {
        @Override
        public Optional<String> find(RequestView request) {
            return locate(request).map(Located::value);
        }

        /** {@code Bearer <token>}, whitespace around either part ignored, as {@code strip()} would. */
        @Override
        public Optional<Located> locate(RequestView request) {
            List<String> values = request.headerValues("Authorization");
            if (values.size() != 1) {
                return Optional.empty(); // none, or several: ambiguous, never guess which one counts
            }
            String v = values.getFirst();
            int start = skipWhitespace(v, 0);
            int end = v.length();
            while (end > start && Character.isWhitespace(v.charAt(end - 1))) {
                end--;
            }
            if (end - start < 7 || !v.regionMatches(true, start, "Bearer ", 0, 7)) {
                return Optional.empty();
            }
            int token = skipWhitespace(v, start + 7);
            return token < end ? Optional.of(new Located(v, token, end)) : Optional.empty();
        }

        private static int skipWhitespace(String s, int from) {
            int i = from;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            return i;
        }

        @Override
        public void strip(Exchange exchange) {
            exchange.upstreamHeaders().remove("Authorization");
        }

        @Override
        public String describe() {
            return "bearer";
        }
    }

    record Header(String name) implements CredentialSource {
        @Override
        public Optional<String> find(RequestView request) {
            List<String> values = request.headerValues(name);
            return values.size() == 1 && !values.getFirst().isBlank() ? Optional.of(values.getFirst().strip())
                    : Optional.empty();
        }

        @Override
        public void strip(Exchange exchange) {
            exchange.upstreamHeaders().remove(name);
        }

        @Override
        public String describe() {
            return "header:" + name;
        }
    }

    record Cookie(String name) implements CredentialSource {
        @Override
        public Optional<String> find(RequestView request) {
            return request.cookie(name).filter(v -> !v.isBlank());
        }

        @Override
        public void strip(Exchange exchange) {
            // cookies travel in one header with others the upstream may need: left as is
        }

        @Override
        public String describe() {
            return "cookie:" + name;
        }
    }

    record Query(String name) implements CredentialSource {
        @Override
        public Optional<String> find(RequestView request) {
            return request.queryParam(name).filter(v -> !v.isBlank());
        }

        @Override
        public void strip(Exchange exchange) {
            // the query is part of the upstream path, which this filter does not own
        }

        @Override
        public String describe() {
            return "query:" + name;
        }
    }

    /**
     * Parses {@code bearer}, {@code header:NAME}, {@code cookie:NAME}, {@code query:NAME}.
     *
     * @throws IllegalArgumentException with the reason
     */
    static CredentialSource parse(String text, boolean queryAllowed) {
        int colon = text.indexOf(':');
        String type = (colon < 0 ? text : text.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
        String name = colon < 0 ? "" : text.substring(colon + 1).strip();
        if (type.equals("bearer")) {
            if (!name.isEmpty()) {
                throw new IllegalArgumentException("'bearer' takes no name, got '" + text + "'");
            }
            return new Bearer();
        }
        if (!type.equals("header") && !type.equals("cookie") && !(queryAllowed && type.equals("query"))) {
            throw new IllegalArgumentException("expected bearer, header:NAME, cookie:NAME"
                    + (queryAllowed ? " or query:NAME" : "") + ", got '" + text + "'");
        }
        if (name.isEmpty() || !dev.loomgate.gateway.http.HttpTokens.isToken(name)) {
            throw new IllegalArgumentException("'" + type + "' needs a name (a token), e.g. " + type + ":X-Api-Key");
        }
        return switch (type) {
            case "header" -> new Header(name);
            case "cookie" -> new Cookie(name);
            default -> new Query(name);
        };
    }
}
