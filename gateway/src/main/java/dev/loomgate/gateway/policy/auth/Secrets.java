package dev.loomgate.gateway.policy.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * Secrets named by a config key, never written in it: {@code NAME-file: path} (the file's content, trailing
 * newline removed) or {@code NAME-env: VARIABLE}. Read when the routes file is parsed, so a missing secret fails
 * that routes version with file:line instead of failing requests later.
 */
public final class Secrets {
    private static final long MAX_SIZE = 64 * 1024;

    private Secrets() {
    }

    /**
     * @param fields the block's fields
     * @param name   the secret's key stem, e.g. {@code client-secret} for {@code client-secret-file}/{@code -env}
     */
    public static String read(YamlValue.Fields fields, String name) throws ConfigException {
        boolean file = fields.has(name + "-file");
        boolean env = fields.has(name + "-env");
        if (file == env) {
            throw fields.owner().error("give exactly one of " + name + "-file or " + name + "-env (the secret itself"
                    + " never goes into the routes file)");
        }
        String value;
        if (file) {
            YamlValue node = fields.required(name + "-file");
            Path path = Path.of(node.nonBlankString().strip());
            try {
                if (Files.size(path) > MAX_SIZE) {
                    throw node.error("'" + path + "' is larger than 64 KiB");
                }
                value = Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw node.error("cannot read '" + path + "': " + e.getClass().getSimpleName());
            }
            if (value.isEmpty()) {
                throw node.error("'" + path + "' is empty");
            }
        } else {
            YamlValue node = fields.required(name + "-env");
            String variable = node.nonBlankString().strip();
            value = System.getenv(variable);
            if (value == null || value.isBlank()) {
                throw node.error("environment variable '" + variable + "' is not set");
            }
            value = value.strip();
        }
        return value;
    }
}
