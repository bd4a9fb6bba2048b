package dev.loomgate.gateway.policy.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * A secret named by the routes file, never written in it: {@code NAME-file: path} (the file's content, surrounding
 * whitespace removed) or {@code NAME-env: VARIABLE}. Resolved when a node creates the filter, not when the file is
 * parsed: {@code loomgate routes validate|push} runs where the nodes' secrets are not (and must not be); a node that
 * cannot read it rejects that routes version (the old one keeps serving) with the reference's file:line.
 *
 * @param location where the reference is, e.g. {@code routes.yaml:12: routes[0].api-key.pepper-file}
 * @param fromFile true: {@code name} is a file path; false: an environment variable
 * @param name     the path or variable name
 */
public record SecretRef(String location, boolean fromFile, String name) {
    private static final long MAX_SIZE = 64 * 1024;

    public SecretRef {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(name, "name");
    }

    /**
     * @param fields the block's fields
     * @param stem   the secret's key stem, e.g. {@code client-secret} for {@code client-secret-file}/{@code -env}
     */
    public static SecretRef parse(YamlValue.Fields fields, String stem) throws ConfigException {
        boolean file = fields.has(stem + "-file");
        boolean env = fields.has(stem + "-env");
        if (file == env) {
            throw fields.owner().error("give exactly one of " + stem + "-file or " + stem + "-env (the secret itself"
                    + " never goes into the routes file)");
        }
        YamlValue node = fields.required(stem + (file ? "-file" : "-env"));
        String name = node.nonBlankString().strip();
        ConfigException at = node.error("");
        String location = at.source() + ":" + at.line().orElse(0) + ": " + at.field();
        return new SecretRef(location, file, name);
    }

    /**
     * The secret's value.
     *
     * @param minLength the shortest acceptable value
     * @throws IllegalArgumentException naming the reference's location and the reason (never the value)
     */
    public String resolve(Map<String, String> environment, int minLength) {
        String value;
        if (fromFile) {
            Path path = Path.of(name);
            try {
                if (Files.size(path) > MAX_SIZE) {
                    throw new IllegalArgumentException(location + ": '" + path + "' is larger than 64 KiB");
                }
                value = Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(location + ": cannot read '" + path + "' ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        } else {
            value = environment.getOrDefault(name, "").strip();
            if (value.isEmpty()) {
                throw new IllegalArgumentException(location + ": environment variable '" + name + "' is not set");
            }
        }
        if (value.length() < minLength) {
            throw new IllegalArgumentException(location + ": the secret must have at least " + minLength
                    + " characters");
        }
        return value;
    }

    public String resolve() {
        return resolve(System.getenv(), 1);
    }
}
