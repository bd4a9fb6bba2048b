package dev.loomgate.gateway.policy.introspection;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.loomgate.gateway.policy.auth.AuthOptions;
import dev.loomgate.gateway.policy.auth.CredentialSource;
import dev.loomgate.gateway.policy.auth.SecretRef;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** Reads an {@code oauth2-introspection:} block; every error names the offending value's line and field. */
final class IntrospectionParser {
    private static final Set<String> KEYS;

    static {
        Set<String> keys = new LinkedHashSet<>(List.of("endpoint", "client-id", "client-secret-file",
                "client-secret-env", "timeout", "cache-ttl", "negative-cache-ttl", "claims"));
        keys.addAll(AuthOptions.KEYS);
        KEYS = keys;
    }

    private IntrospectionParser() {
    }

    static IntrospectionSettings parse(YamlValue node) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected an oauth2-introspection mapping (endpoint, client-id, ...) or 'off'");
        }
        YamlValue.Fields f = node.fields(KEYS);
        YamlValue endpointNode = f.required("endpoint");
        URI endpoint;
        try {
            endpoint = new URI(endpointNode.nonBlankString().strip());
        } catch (URISyntaxException e) {
            throw endpointNode.error("not a URL: " + e.getMessage());
        }
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
            throw endpointNode.error("must be an http:// or https:// URL with a host");
        }
        String clientId = f.required("client-id").nonBlankString().strip();
        SecretRef secret = SecretRef.parse(f, "client-secret");
        Duration timeout = f.duration("timeout", IntrospectionSettings.DEFAULT_TIMEOUT, Duration.ofMillis(50),
                Duration.ofSeconds(30));
        Duration ttl = f.duration("cache-ttl", IntrospectionSettings.DEFAULT_CACHE_TTL, Duration.ZERO,
                Duration.ofHours(1));
        Duration negative = f.duration("negative-cache-ttl", IntrospectionSettings.DEFAULT_NEGATIVE_CACHE_TTL,
                Duration.ZERO, Duration.ofMinutes(10));
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (f.has("claims")) {
            for (Map.Entry<String, YamlValue> e : f.required("claims").mapping().entrySet()) {
                List<String> wanted = new ArrayList<>();
                YamlValue v = e.getValue();
                if (v.isSequence()) {
                    for (YamlValue item : v.sequence()) {
                        wanted.add(item.nonBlankString().strip());
                    }
                } else {
                    wanted.add(v.nonBlankString().strip());
                }
                if (wanted.isEmpty()) {
                    throw v.error("must name at least one value");
                }
                values.put(e.getKey(), wanted);
            }
        }
        AuthOptions options = AuthOptions.parse(f, new CredentialSource.Bearer(), false);
        return new IntrospectionSettings(endpoint, clientId, secret, timeout, ttl, negative, values, options);
    }
}
