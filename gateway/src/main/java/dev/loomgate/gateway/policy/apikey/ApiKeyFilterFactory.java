package dev.loomgate.gateway.policy.apikey;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.policy.auth.AuthOptions;
import dev.loomgate.gateway.policy.auth.Challenge;
import dev.loomgate.gateway.policy.auth.CredentialSource;
import dev.loomgate.gateway.policy.auth.IdentityForwarding;
import dev.loomgate.gateway.policy.auth.RefusalLog;
import dev.loomgate.gateway.policy.auth.SecretRef;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code api-key:} admits a request that carries one of the route's keys ({@code lgk_<id>_<secret>}, made by
 * {@code loomgate api-key create}); the routes file holds only each key's hash, compared in constant time. The
 * key's consumer and scopes become the request's {@code ConsumerIdentity}. A missing or unknown key is a 401, a
 * key without a {@code require-scopes} scope a 403; nothing goes upstream. See docs/SECURITY.md.
 */
public final class ApiKeyFilterFactory implements FilterFactory<ApiKeySettings> {
    public static final String KEY = "api-key";
    static final String SCHEME = "ApiKey";
    private static final Logger LOG = Logger.getLogger(ApiKeyFilterFactory.class.getName());
    private static final Set<String> KEYS;
    private static final Set<String> ENTRY_KEYS = new LinkedHashSet<>(List.of("id", "hash", "consumer", "scopes"));

    static {
        Set<String> keys = new LinkedHashSet<>(List.of("hash", "pepper-file", "pepper-env", "keys", "keys-from",
                "require-scopes"));
        keys.addAll(AuthOptions.KEYS);
        KEYS = keys;
    }

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.AUTHENTICATION;
    }

    @Override
    public ApiKeySettings parse(YamlValue node, ParseContext context) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected an api-key mapping (keys, pepper-file, ...) or 'off'");
        }
        YamlValue.Fields f = node.fields(KEYS);
        ApiKeys.HashMethod method = ApiKeys.HashMethod.HMAC_SHA256;
        if (f.has("hash")) {
            YamlValue h = f.required("hash");
            method = ApiKeys.HashMethod.of(h.nonBlankString().strip())
                    .orElseThrow(() -> h.error("expected hmac-sha256 (with a pepper) or sha256"));
        }
        Optional<SecretRef> pepper = Optional.empty();
        if (method == ApiKeys.HashMethod.HMAC_SHA256) {
            pepper = Optional.of(SecretRef.parse(f, "pepper"));
        } else if (f.has("pepper-file") || f.has("pepper-env")) {
            throw (f.has("pepper-file") ? f.required("pepper-file") : f.required("pepper-env"))
                    .error("a pepper only applies to hash: hmac-sha256");
        }
        boolean fromConsul = false;
        if (f.has("keys-from")) {
            YamlValue from = f.required("keys-from");
            if (!from.nonBlankString().strip().equals("consul")) {
                throw from.error("expected 'consul' (keys written by loomgate keys create), got '" + from.string() + "'");
            }
            fromConsul = true;
        }
        Map<String, ApiKeyEntry> keys = new LinkedHashMap<>();
        List<YamlValue> listed = fromConsul && !f.has("keys") ? List.of() : f.required("keys").sequence();
        for (YamlValue entryNode : listed) {
            ApiKeyEntry entry = entry(entryNode);
            if (keys.putIfAbsent(entry.id(), entry) != null) {
                throw entryNode.error("key id '" + entry.id() + "' is listed twice");
            }
        }
        List<String> required = new ArrayList<>();
        if (f.has("require-scopes")) {
            for (YamlValue s : f.required("require-scopes").sequence()) {
                required.add(s.nonBlankString().strip());
            }
        }
        AuthOptions options = AuthOptions.parse(f, new CredentialSource.Header("X-Api-Key"), true);
        return new ApiKeySettings(method, pepper, keys, fromConsul, required, options);
    }

    private static ApiKeyEntry entry(YamlValue node) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a key entry (id, hash, consumer, scopes), as printed by loomgate api-key create");
        }
        YamlValue.Fields f = node.fields(ENTRY_KEYS);
        YamlValue idNode = f.required("id");
        String id = idNode.nonBlankString().strip();
        if (!id.matches("[a-z0-9]{8}")) {
            throw idNode.error("must be the key's 8-character id (lgk_<id>_...), got '" + id + "'");
        }
        YamlValue hashNode = f.required("hash");
        String hex = hashNode.nonBlankString().strip().toLowerCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw hashNode.error("must be 64 hex digits (the key's hash, never the key itself)");
        }
        String consumer = f.required("consumer").nonBlankString().strip();
        List<String> scopes = new ArrayList<>();
        if (f.has("scopes")) {
            for (YamlValue s : f.required("scopes").sequence()) {
                scopes.add(s.nonBlankString().strip());
            }
        }
        return new ApiKeyEntry(id, HexFormat.of().parseHex(hex), consumer, scopes);
    }

    @Override
    public Filter create(ApiKeySettings settings, FilterContext context) {
        byte[] pepper = settings.resolvePepper(); // a node without the pepper rejects this routes version
        ApiKeyDirectory directory = context.service(ApiKeyDirectory.class).orElse(ApiKeyDirectory.none());
        if (settings.fromConsul() && !directory.enabled()) {
            throw new IllegalArgumentException("route '" + context.routeId() + "': api-key keys-from: consul needs"
                    + " a consul: block in gateway.yaml");
        }
        IdentityForwarding forwarding = settings.options().forwarding();
        CredentialSource source = settings.options().source();
        RefusalLog refusals = new RefusalLog(LOG, KEY, context.routeId());
        return (exchange, chain) -> {
            Optional<String> key = settings.options().credential(exchange, SCHEME, "API key");
            if (key.isEmpty()) {
                return;
            }
            Optional<ApiKeyEntry> entry = key.get().length() > 256 ? Optional.empty() : settings.match(key.get(), pepper, directory);
            if (entry.isEmpty()) {
                refusals.refused(exchange.requestId(), () -> "unknown API key (id "
                        + ApiKeys.id(key.get()).orElse("malformed") + ")");
                Challenge.invalid(SCHEME, "unknown API key").answer(exchange);
                return;
            }
            for (String scope : settings.requiredScopes()) {
                if (!entry.get().scopes().contains(scope)) {
                    Challenge.insufficient(SCHEME, "the API key lacks scope '" + scope + "'",
                            String.join(" ", settings.requiredScopes())).answer(exchange);
                    return;
                }
            }
            forwarding.admit(exchange, new ConsumerIdentity(entry.get().consumer(), entry.get().scopes(), KEY,
                    entry.get().id()), source);
            chain.proceed();
        };
    }
}
