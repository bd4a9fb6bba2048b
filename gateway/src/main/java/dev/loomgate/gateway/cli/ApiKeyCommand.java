package dev.loomgate.gateway.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.loomgate.gateway.policy.apikey.ApiKeys;

/**
 * {@code loomgate api-key create CONSUMER} and {@code loomgate api-key hash}: make the routes file entry of an API
 * key. {@code create} prints a new key once (on stderr, for the operator to hand over) and the entry to paste
 * under {@code api-key.keys} (on stdout); {@code hash} reads an existing key from stdin. The pepper comes from
 * {@code --pepper-file FILE} or {@code --pepper-env VAR}, the same place the nodes read it; {@code --sha256}
 * hashes without one (for routes with {@code hash: sha256}).
 */
final class ApiKeyCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;

    ApiKeyCommand(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
    }

    int run(String... args) {
        if (args.length < 2) {
            err.println("loomgate: expected 'api-key create CONSUMER' or 'api-key hash' (see --help)");
            return LoomgateCli.USAGE;
        }
        String command = args[1];
        Optional<String> consumer = Optional.empty();
        Optional<String> pepperFile = Optional.empty();
        Optional<String> pepperEnv = Optional.empty();
        String scopes = "";
        boolean sha256 = false;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--pepper-file", "--pepper-env", "--scopes" -> {
                    if (i + 1 >= args.length) {
                        err.println("loomgate: " + a + " needs a value");
                        return LoomgateCli.USAGE;
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--pepper-file" -> pepperFile = Optional.of(v);
                        case "--pepper-env" -> pepperEnv = Optional.of(v);
                        default -> scopes = v;
                    }
                }
                case "--sha256" -> sha256 = true;
                default -> {
                    if (a.startsWith("-") || consumer.isPresent()) {
                        err.println("loomgate: unexpected argument '" + a + "'");
                        return LoomgateCli.USAGE;
                    }
                    consumer = Optional.of(a);
                }
            }
        }
        if (sha256 == (pepperFile.isPresent() || pepperEnv.isPresent()) || (pepperFile.isPresent() && pepperEnv.isPresent())) {
            err.println("loomgate: give one of --pepper-file FILE, --pepper-env VAR or --sha256");
            return LoomgateCli.USAGE;
        }
        byte[] pepper = new byte[0];
        if (!sha256) {
            Optional<String> text = pepper(pepperFile, pepperEnv);
            if (text.isEmpty()) {
                return LoomgateCli.USAGE;
            }
            pepper = text.get().getBytes(StandardCharsets.UTF_8);
        }
        ApiKeys.HashMethod method = sha256 ? ApiKeys.HashMethod.SHA256 : ApiKeys.HashMethod.HMAC_SHA256;
        String key;
        if (command.equals("create")) {
            if (consumer.isEmpty() || consumer.get().isBlank()) {
                err.println("loomgate: api-key create needs the CONSUMER name");
                return LoomgateCli.USAGE;
            }
            key = ApiKeys.generate();
            err.println("New API key for " + consumer.get() + " (shown once; only its hash is stored):");
            err.println(key);
        } else if (command.equals("hash")) {
            try {
                String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                key = line == null ? "" : line.strip();
            } catch (IOException e) {
                err.println("loomgate: cannot read the key from stdin: " + e.getMessage());
                return LoomgateCli.USAGE;
            }
        } else {
            err.println("loomgate: unknown command 'api-key " + command + "' (see --help)");
            return LoomgateCli.USAGE;
        }
        Optional<String> id = ApiKeys.id(key);
        if (id.isEmpty()) {
            err.println("loomgate: not a Loomgate API key (expected lgk_<8 chars>_<43 chars>)");
            return LoomgateCli.INVALID;
        }
        out.println("- id: " + id.get());
        out.println("  hash: " + ApiKeys.hex(ApiKeys.hash(key, method, pepper)));
        out.println("  consumer: " + consumer.orElse("CONSUMER"));
        if (!scopes.isBlank()) {
            out.println("  scopes: [" + String.join(", ", scopes.split(",")) + "]");
        }
        return LoomgateCli.OK;
    }

    private Optional<String> pepper(Optional<String> file, Optional<String> variable) {
        String text;
        if (file.isPresent()) {
            try {
                text = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                err.println("loomgate: cannot read the pepper file '" + file.get() + "': " + e.getMessage());
                return Optional.empty();
            }
        } else {
            text = Optional.ofNullable(env.get(variable.orElseThrow())).orElse("").strip();
        }
        if (text.length() < 16) {
            err.println("loomgate: the pepper must have at least 16 characters");
            return Optional.empty();
        }
        return Optional.of(text);
    }
}
