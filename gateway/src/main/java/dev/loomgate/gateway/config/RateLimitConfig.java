package dev.loomgate.gateway.config;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.PlainYaml;
import dev.loomgate.gateway.yaml.YamlValue;
import java.nio.file.Path;

/** The node config's {@code redis:} block, read by the Redis settings' map parser (see {@link PlainYaml}). */
final class RateLimitConfig {
    private RateLimitConfig() {
    }

    static RedisSettings redis(YamlValue node, Path baseDir) throws ConfigException {
        try {
            return RedisSettings.fromMap(PlainYaml.mapping(node), baseDir);
        } catch (IllegalArgumentException e) {
            throw PlainYaml.located(node, "redis.", e);
        }
    }
}
