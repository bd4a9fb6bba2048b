package dev.loomgate.gateway.policy.cache;

import java.util.Map;

import dev.loomgate.gateway.cache.CacheSettings;
import dev.loomgate.gateway.cache.ResponseCache;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.PlainYaml;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code cache:} on a route: the two-level response cache of the node's {@link ResponseCache} (docs/CACHE.md).
 * {@code cache: {}} or {@code cache: on} caches with the defaults (RFC 9111 shared-cache rules).
 */
public final class CacheFilterFactory implements FilterFactory<CacheSettings> {
    public static final String KEY = "cache";

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.CACHE;
    }

    @Override
    public CacheSettings parse(YamlValue node, ParseContext context) throws ConfigException {
        if (node.isScalar() && node.string().strip().equals("on")) {
            return CacheSettings.defaults();
        }
        if (!node.isMapping()) {
            throw node.error("expected a cache mapping (default-ttl, max-object-size, query, ...) or 'on'");
        }
        Map<String, Object> map = PlainYaml.mapping(node);
        try {
            return CacheSettings.fromMap(map);
        } catch (IllegalArgumentException e) {
            throw PlainYaml.located(node, "", e);
        }
    }

    @Override
    public Filter create(CacheSettings settings, FilterContext context) {
        ResponseCache cache = context.requireService(ResponseCache.class, KEY);
        return new CacheFilter(cache, settings);
    }
}
