package dev.loomgate.gateway.policy.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.loomgate.gateway.http.HttpTokens;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code forward-headers:} of an authentication filter: which parts of the {@link ConsumerIdentity} go upstream
 * in which headers, e.g. {@code { consumer: X-Consumer-Id, scopes: X-Consumer-Scopes }}. Every such header the
 * client sent is removed first, on every request the filter sees, so that a client cannot claim an identity.
 *
 * @param headers identity field ({@code consumer}, {@code scopes}, {@code method}, {@code issuer}) by header name
 * @param forwardCredential whether the credential itself (e.g. the Authorization header) goes upstream
 */
public record IdentityForwarding(Map<String, String> headers, boolean forwardCredential) {
    public static final Set<String> FIELDS = new LinkedHashSet<>(List.of("consumer", "scopes", "method", "issuer"));

    public IdentityForwarding {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public static IdentityForwarding none() {
        return new IdentityForwarding(Map.of(), true);
    }

    /** Parses the {@code forward-headers:} mapping (field to header name). */
    public static Map<String, String> parseHeaders(YamlValue node) throws ConfigException {
        Map<String, String> byHeader = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, YamlValue> e : node.fields(FIELDS).owner().mapping().entrySet()) {
            String header = e.getValue().nonBlankString().strip();
            if (!HttpTokens.isToken(header) || HttpTokens.isProtectedHeader(header)
                    || header.equalsIgnoreCase("Authorization") || header.equalsIgnoreCase("Cookie")) {
                throw e.getValue().error("'" + header + "' cannot carry the identity (not a header name, or a"
                        + " header the gateway owns)");
            }
            if (!names.add(header.toLowerCase(Locale.ROOT))) {
                throw e.getValue().error("header '" + header + "' is used twice");
            }
            byHeader.put(header, e.getKey());
        }
        return byHeader;
    }

    /** Removes the identity headers the client sent (call before deciding, so a refusal leaves none either). */
    public void stripClientCopies(Exchange exchange) {
        if (headers.isEmpty()) {
            return; // the common case: nothing forwarded, no iterator per request
        }
        for (String header : headers.keySet()) {
            exchange.upstreamHeaders().remove(header);
        }
    }

    /** Records the identity for later filters and sets the configured headers. */
    public void admit(Exchange exchange, ConsumerIdentity identity, CredentialSource source) {
        Objects.requireNonNull(identity, "identity");
        exchange.attribute(ConsumerIdentity.ATTRIBUTE, identity);
        if (!forwardCredential) {
            source.strip(exchange);
        }
        if (headers.isEmpty()) {
            return;
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String value = switch (h.getValue()) {
                case "consumer" -> identity.id();
                case "scopes" -> String.join(" ", identity.scopes());
                case "method" -> identity.method();
                default -> identity.issuer();
            };
            if (HttpTokens.isValidHeaderValue(value) && !value.isEmpty()) {
                exchange.upstreamHeaders().set(h.getKey(), value);
            }
        }
    }

    /** Scopes from an OAuth2 {@code scope} value: a space-separated string or a list. */
    public static List<String> scopes(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String s) {
            for (String part : s.split(" ")) {
                if (!part.isBlank()) {
                    out.add(part);
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s && !s.isBlank()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
