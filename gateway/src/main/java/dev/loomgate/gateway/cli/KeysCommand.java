package dev.loomgate.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.discovery.ApiKeysWatcher;
import dev.loomgate.gateway.policy.apikey.ApiKeyDirectory;
import dev.loomgate.gateway.policy.apikey.ApiKeyEntry;
import dev.loomgate.gateway.policy.apikey.ApiKeySettings;
import dev.loomgate.gateway.policy.apikey.ApiKeys;

/**
 * {@code loomgate keys create|list|revoke}: API keys kept in Consul KV under {@code <prefix>api-keys/<id>}, as
 * hashes only, for routes with {@code api-key: { keys-from: consul }}; every node's watcher picks changes up.
 * {@code create} prints the new key once, on stdout, and nothing else there (so it can be piped to its owner).
 */
final class KeysCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final ConsulClient client;
    private final String folder;
    private final Map<String, String> env;

    KeysCommand(PrintStream out, PrintStream err, ConsulClient client, String prefix, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.client = client;
        this.folder = ApiKeysWatcher.folder(prefix);
        this.env = env;
    }

    int run(List<String> words, Map<String, String> options) throws ConsulException, InterruptedException {
        String cmd = words.size() > 1 ? words.get(1) : "";
        return switch (cmd) {
            case "create" -> words.size() == 3 ? create(words.get(2), options) : usage("keys create CONSUMER");
            case "list" -> words.size() == 2 && options.isEmpty() ? list() : usage("keys list");
            case "revoke" -> words.size() == 3 && options.isEmpty() ? revoke(words.get(2)) : usage("keys revoke ID");
            default -> usage("keys create|list|revoke");
        };
    }

    private int usage(String expected) {
        err.println("loomgate: expected '" + expected + "' (see --help)");
        return LoomgateCli.USAGE;
    }

    private int create(String consumer, Map<String, String> options) throws ConsulException, InterruptedException {
        boolean sha256 = options.containsKey("--sha256");
        Optional<String> file = Optional.ofNullable(options.get("--pepper-file"));
        Optional<String> variable = Optional.ofNullable(options.get("--pepper-env"));
        if (sha256 == (file.isPresent() || variable.isPresent()) || (file.isPresent() && variable.isPresent())) {
            return usage("keys create CONSUMER with one of --pepper-file FILE, --pepper-env VAR or --sha256");
        }
        byte[] pepper = new byte[0];
        if (!sha256) {
            String text;
            if (file.isPresent()) {
                try {
                    text = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    err.println("loomgate: cannot read the pepper file '" + file.get() + "': " + e.getMessage());
                    return LoomgateCli.USAGE;
                }
            } else {
                text = env.getOrDefault(variable.get(), "").strip();
            }
            if (text.length() < ApiKeySettings.MIN_PEPPER_LENGTH) {
                err.println("loomgate: the pepper must have at least " + ApiKeySettings.MIN_PEPPER_LENGTH
                        + " characters");
                return LoomgateCli.USAGE;
            }
            pepper = text.getBytes(StandardCharsets.UTF_8);
        }
        List<String> scopes = new ArrayList<>();
        for (String s : options.getOrDefault("--scopes", "").split(",")) {
            if (!s.isBlank()) {
                scopes.add(s.strip());
            }
        }
        String key = ApiKeys.generate();
        String id = ApiKeys.id(key).orElseThrow();
        ApiKeyEntry entry = new ApiKeyEntry(id, ApiKeys.hash(key, sha256 ? ApiKeys.HashMethod.SHA256
                : ApiKeys.HashMethod.HMAC_SHA256, pepper), consumer, scopes);
        // CAS 0: create only; a (1 in 36^8) id collision fails instead of replacing someone's key
        if (!client.kvPut(folder + id, ApiKeyDirectory.toJson(entry).getBytes(StandardCharsets.UTF_8),
                OptionalLong.of(0), 0)) {
            err.println("loomgate: key id " + id + " exists already; run create again");
            return LoomgateCli.CONFLICT;
        }
        err.println("API key " + id + " for " + consumer + " stored in Consul (hash only); the key, shown once:");
        out.println(key);
        return LoomgateCli.OK;
    }

    private int list() throws ConsulException, InterruptedException {
        for (KvEntry e : client.kvList(folder).value()) {
            String id = e.key().substring(folder.length());
            try {
                ApiKeyEntry entry = ApiKeyDirectory.fromJson(id, e.valueUtf8());
                out.println(id + "  " + entry.consumer() + "  " + String.join(",", entry.scopes()));
            } catch (IllegalArgumentException ex) {
                out.println(id + "  (malformed: " + ex.getMessage() + ")");
            }
        }
        return LoomgateCli.OK;
    }

    private int revoke(String id) throws ConsulException, InterruptedException {
        if (client.kvGet(folder + id).isEmpty()) {
            err.println("loomgate: no key " + id);
            return LoomgateCli.INVALID;
        }
        client.kvDelete(folder + id, OptionalLong.empty());
        err.println("API key " + id + " revoked");
        return LoomgateCli.OK;
    }
}
