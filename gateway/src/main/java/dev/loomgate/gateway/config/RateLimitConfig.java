package dev.loomgate.gateway.config;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.PlainYaml;
import dev.loomgate.gateway.yaml.YamlValue;

/** The node config's {@code redis:} block, read by the Redis settings' map parser (see {@link PlainYaml}). */
final class RateLimitConfig {
    private RateLimitConfig() {
    }

    static RedisSettings redis(YamlValue node) throws ConfigException {
        try {
            return RedisSettings.fromMap(PlainYaml.mapping(node));
        } catch (IllegalArgumentException e) {
            throw PlainYaml.located(node, "redis.", e);
        }
    }
}
