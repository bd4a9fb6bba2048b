package dev.loomgate.gateway.policy.cors;

import java.util.Locale;
import java.util.Optional;

import dev.loomgate.gateway.net.IpBlocks;

/**
 * An origin as the Fetch standard serializes it ({@code scheme://host[:port]}, no path), or in config a wildcard
 * subdomain form {@code https://*.example.com}, which matches subdomains at any depth but not the apex (like
 * {@code match.hosts}). Scheme and host compare case-insensitively; a scheme's default port (80, 443) is the same
 * as no port.
 *
 * @param scheme   lower-case
 * @param host     lower-case; for a wildcard, the part after {@code *.}; IPv6 in brackets
 * @param port     the explicit non-default port, or -1
 * @param wildcard whether {@code host} is a suffix
 */
public record OriginPattern(String scheme, String host, int port, boolean wildcard) {
    /**
     * A config entry of {@code allow-origins}.
     *
     * @throws IllegalArgumentException with the reason, fit for a config error
     */
    public static OriginPattern parse(String text) {
        return parse(text, true);
    }

    /** An {@code Origin} request header; empty for {@code null} (opaque origins) and anything malformed. */
    public static Optional<OriginPattern> ofHeader(String value) {
        try {
            return Optional.of(parse(value, false));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether the origin (an {@link #ofHeader} value) is this one or, for a wildcard, one of its subdomains. */
    public boolean matches(OriginPattern origin) {
        if (!scheme.equals(origin.scheme) || port != origin.port) {
            return false;
        }
        if (!wildcard) {
            return host.equals(origin.host);
        }
        return origin.host.length() > host.length() + 1 && origin.host.endsWith(host)
                && origin.host.charAt(origin.host.length() - host.length() - 1) == '.';
    }

    @Override
    public String toString() {
        return scheme + "://" + (wildcard ? "*." : "") + host + (port < 0 ? "" : ":" + port);
    }

    private static OriginPattern parse(String text, boolean config) {
        String s = text.strip();
        int sep = s.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not an origin (write scheme://host[:port],"
                    + " e.g. https://app.example.com)");
        }
        String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!isScheme(scheme)) {
            throw new IllegalArgumentException("'" + text + "': '" + scheme + "' is not a URI scheme");
        }
        String authority = s.substring(sep + 3);
        if (authority.endsWith("/") && authority.indexOf('/') == authority.length() - 1) {
            throw new IllegalArgumentException("'" + text + "': an origin has no path; leave out the trailing '/'");
        }
        for (char c : new char[] {'/', '?', '#', '@'}) {
            if (authority.indexOf(c) >= 0) {
                throw new IllegalArgumentException("'" + text + "': an origin is scheme://host[:port], without "
                        + (c == '@' ? "user info" : "path, query or fragment"));
            }
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0 || IpBlocks.literal(authority.substring(0, close + 1)).isEmpty()) {
                throw new IllegalArgumentException("'" + text + "': not a valid IPv6 address in brackets");
            }
            host = authority.substring(0, close + 1).toLowerCase(Locale.ROOT);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (after.charAt(0) != ':') {
                    throw new IllegalArgumentException("'" + text + "': unexpected '" + after + "' after the host");
                }
                portText = after.substring(1);
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = (colon < 0 ? authority : authority.substring(0, colon)).toLowerCase(Locale.ROOT);
            portText = colon < 0 ? null : authority.substring(colon + 1);
        }
        boolean wildcard = false;
        if (host.startsWith("*.")) {
            if (!config) {
                throw new IllegalArgumentException("a wildcard is not an origin");
            }
            wildcard = true;
            host = host.substring(2);
            if (host.indexOf('.') < 0) {
                throw new IllegalArgumentException("'" + text + "': a wildcard needs a domain of at least two labels"
                        + " (e.g. https://*.example.com)");
            }
        }
        if (!host.startsWith("[") && !isHostName(host)) {
            throw new IllegalArgumentException("'" + text + "': '" + host + "' is not a valid host name"
                    + (host.contains("*") ? " (a wildcard is allowed only as the first label: https://*.example.com)" : ""));
        }
        int port = port(text, scheme, portText);
        return new OriginPattern(scheme, host, port, wildcard);
    }

    private static int port(String text, String scheme, String portText) {
        if (portText == null) {
            return -1;
        }
        int port;
        try {
            port = portText.isEmpty() || portText.length() > 5 ? -1 : Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535 || !portText.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "': port must be 1..65535");
        }
        boolean isDefault = (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"));
        return isDefault ? -1 : port; // browsers never write the default port in Origin
    }

    private static boolean isScheme(String s) {
        if (s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** DNS labels of letters, digits and '-' (not at either end), or an IPv4 dotted quad. */
    private static boolean isHostName(String h) {
        if (h.isEmpty() || h.length() > 253) {
            return false;
        }
        for (String label : h.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }
}
