package dev.loomgate.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.ConfigSize;
import dev.loomgate.gateway.config.RoutesDocument;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.consul.ConsulSettings;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.discovery.KvRoutesLayout;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * {@code bin/loomgate}: validate routes files and publish them to Consul KV for the cluster; make API key entries
 * ({@link ApiKeyCommand}).
 * Exit codes: 0 ok, 1 routes invalid, 2 usage error, 3 conflict (someone else pushed), 4 Consul
 * error or unreachable.
 */
public final class LoomgateCli {
    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;
    public static final int CONFLICT = 3;
    public static final int CONSUL_ERROR = 4;

    private static final String HELP = """
            Usage: loomgate [options] routes <command> [args]
                   loomgate [options] keys <command> [args]
                   loomgate api-key <command> [args]
                   loomgate jobs list|show|replay|purge [--route R] [--admin URL] [--admin-token T]
                   loomgate sagas list|show|retry|abort [args]   (loomgate sagas --help)
                   loomgate cache purge (--route R [--path P --host H] | --tag T | --key HEX)

            Commands:
              routes validate FILE   check a routes file (same schema as the node's routes file)
              routes push FILE       validate, then publish to Consul KV; every node applies it
              routes pull            print the routes in Consul as one routes file
              routes status          which node applied (or rejected) which version, and why
              keys create CONSUMER [--scopes a,b] (--pepper-file F | --pepper-env V | --sha256)
                                     new API key in Consul KV (<prefix>api-keys/<id>, hash only) for
                                     routes with api-key keys-from: consul; the key on stdout, once
              keys list              ids, consumers and scopes of the keys in Consul
              keys revoke ID         deletes the key; every node refuses it within a Consul round trip
              api-key create CONSUMER [--scopes a,b]   new API key: the key on stderr (shown once),
                                     the routes file entry (id, hash, consumer) on stdout
              api-key hash           the routes file entry of a key read from stdin
              jobs list [--route R]  async queues per route; with --route, the route's dead jobs
              jobs show ID | jobs replay ID | jobs purge --route R
                                     one job; queue a dead job again; delete a route's dead jobs
                                     (through a node's admin API: --admin URL, default
                                     $LOOMGATE_ADMIN_URL else http://127.0.0.1:9080; --admin-token T)
                --pepper-file FILE | --pepper-env VAR | --sha256   how api-key hashes
                                     (hmac-sha256 with the nodes' pepper, or plain sha256)
              cache purge ...        purge cached responses on every node through a node's admin API
                                     (loomgate cache --help)

            Options:
              --consul ADDR[,ADDR]   Consul agent(s): host:port or http(s)://host:port
                                     (default: $CONSUL_HTTP_ADDR, else 127.0.0.1:8500)
              --token TOKEN          ACL token (default: $LOOMGATE_CONSUL_TOKEN, else $CONSUL_HTTP_TOKEN)
              --ca-file FILE         CA bundle (PEM) for https agents
              --prefix PREFIX        KV prefix (default: loomgate/)
              --expect-version V     push: only if the version in Consul is still V (the one you pulled)
              --force                push: take over a push that was left unfinished
              -o, --output FILE      pull: write to FILE instead of stdout
              -h, --help             this text

            Exit codes: 0 ok, 1 routes invalid, 2 usage error, 3 conflict (another push won;
            pull, merge, push again), 4 Consul (or, for jobs, the admin API) unreachable or error,
            5 jobs: the admin API refused (e.g. no such job).
            """;

    private final PrintStream out;
    private final PrintStream err;

    public LoomgateCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new LoomgateCli(System.out, System.err).run(args));
    }

    private record Options(List<String> consul, Optional<String> token, Optional<Path> caFile, String prefix,
                           Optional<String> expectVersion, boolean force, Optional<Path> output, List<String> words,
                           Map<String, String> keyOptions) {
    }

    /** Runs one command; returns the exit code. */
    public int run(String... args) {
        if (args.length > 0 && args[0].equals("cache")) {
            return new CacheCommand(out, err, System.getenv()).run(args);
        }
        if (args.length > 0 && args[0].equals("jobs")) {
            return new JobsCommand(out, err, System.getenv()).run(args);
        }
        if (args.length > 0 && args[0].equals("sagas")) {
            try {
                return new SagasCommand(out, err, System.getenv()).run(args);
            } catch (IllegalArgumentException e) {
                err.println("loomgate: " + e.getMessage());
                return USAGE;
            }
        }
        if (args.length > 0 && args[0].equals("api-key")) {
            return new ApiKeyCommand(out, err, System.in, System.getenv()).run(args);
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("loomgate: " + e.getMessage() + " (see --help)");
            return USAGE;
        }
        if (o == null) {
            out.print(HELP);
            return OK;
        }
        List<String> w = o.words();
        if (!w.isEmpty() && w.get(0).equals("keys")) {
            return keys(o);
        }
        if (!o.keyOptions().isEmpty()) {
            err.println("loomgate: " + o.keyOptions().keySet().iterator().next() + " only applies to 'keys create'");
            return USAGE;
        }
        if (w.size() < 2 || !w.get(0).equals("routes")) {
            err.println("loomgate: expected 'routes validate|push|pull|status' (see --help)");
            return USAGE;
        }
        String cmd = w.get(1);
        int expectedArgs = cmd.equals("validate") || cmd.equals("push") ? 3 : 2;
        if (!List.of("validate", "push", "pull", "status").contains(cmd)) {
            err.println("loomgate: unknown command 'routes " + cmd + "' (see --help)");
            return USAGE;
        }
        if (w.size() != expectedArgs) {
            err.println("loomgate: 'routes " + cmd + "' takes " + (expectedArgs == 3 ? "one FILE" : "no") + " argument"
                    + (expectedArgs == 3 ? "" : "s") + " (see --help)");
            return USAGE;
        }
        if (cmd.equals("validate")) {
            return validate(Path.of(w.get(2))).isPresent() ? OK : INVALID;
        }
        Optional<ConsulSettings> consulSettings = consulSettings(o);
        if (consulSettings.isEmpty()) {
            return USAGE;
        }
        ConsulSettings settings = consulSettings.get();
        KvRoutesLayout layout = new KvRoutesLayout(o.prefix());
        try (ConsulClient client = new ConsulClient(settings)) {
            return switch (cmd) {
                case "push" -> push(client, layout, Path.of(w.get(2)), o);
                case "pull" -> pull(client, layout, o);
                default -> status(client, layout);
            };
        } catch (ConsulException e) {
            err.println("loomgate: Consul error: " + e.getMessage());
            return CONSUL_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CONSUL_ERROR;
        } catch (IOException e) {
            err.println("loomgate: " + e.getMessage());
            return USAGE;
        }
    }

    private Optional<ConsulSettings> consulSettings(Options o) {
        try {
            List<java.net.URI> uris = new ArrayList<>();
            for (String a : o.consul()) {
                uris.add(ConsulSettings.address(a, o.caFile().isPresent()));
            }
            return Optional.of(new ConsulSettings(uris, o.token(), o.caFile(), java.time.Duration.ofSeconds(3),
                    java.time.Duration.ofSeconds(10)));
        } catch (IllegalArgumentException e) {
            err.println("loomgate: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code keys create|list|revoke}: API keys in Consul KV (see {@link KeysCommand}). */
    private int keys(Options o) {
        Optional<ConsulSettings> settings = consulSettings(o);
        if (settings.isEmpty()) {
            return USAGE;
        }
        try (ConsulClient client = new ConsulClient(settings.get())) {
            return new KeysCommand(out, err, client, o.prefix(), System.getenv()).run(o.words(), o.keyOptions());
        } catch (ConsulException e) {
            err.println("loomgate: Consul error: " + e.getMessage());
            return CONSUL_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CONSUL_ERROR;
        }
    }

    private Optional<Map.Entry<String, RoutesDocument>> validate(Path file) {
        try {
            // bounded read: the nodes apply their own limits.max-config-size; this only keeps the CLI's memory sane
            String text = RoutesParser.decodeUtf8(ConfigSize.read(file, ConfigSize.MAX_CONFIGURABLE), file.toString());
            RoutesDocument doc = RoutesParser.parse(text, file.toString());
            err.println(file + ": valid, version " + doc.version() + ", " + doc.routes().size() + " routes, "
                    + doc.upstreams().size() + " upstreams");
            return Optional.of(Map.entry(text, doc));
        } catch (ConfigException e) {
            err.println(e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Publishes with a two-step CAS on the version key: first it is set to the new version with
     * Flags PENDING (fails if anyone changed it since we read it), then the items are written,
     * then the version key is committed (Flags 0, CAS again). Nodes apply only committed states.
     */
    private int push(ConsulClient client, KvRoutesLayout layout, Path file, Options o)
            throws ConsulException, InterruptedException {
        Optional<Map.Entry<String, RoutesDocument>> valid = validate(file);
        if (valid.isEmpty()) {
            return INVALID;
        }
        String version = valid.get().getValue().version();
        Optional<KvEntry> current = client.kvGet(layout.versionKey());
        String currentVersion = current.map(e -> e.valueUtf8().strip()).orElse("");
        if (o.expectVersion().isPresent() && !o.expectVersion().get().equals(currentVersion)) {
            err.println("loomgate: conflict: Consul has version '" + currentVersion + "', not the expected '"
                    + o.expectVersion().get() + "'. Pull, merge your change, push again.");
            return CONFLICT;
        }
        if (current.isPresent() && current.get().flags() == KvRoutesLayout.PENDING && !o.force()) {
            err.println("loomgate: conflict: another push (version '" + currentVersion + "') is in progress or was"
                    + " left unfinished; retry, or use --force to take over");
            return CONFLICT;
        }
        long cas = current.map(KvEntry::modifyIndex).orElse(0L);
        byte[] v = version.getBytes(StandardCharsets.UTF_8);
        if (!client.kvPut(layout.versionKey(), v, OptionalLong.of(cas), KvRoutesLayout.PENDING)) {
            err.println("loomgate: conflict: the routes in Consul changed while pushing (now version '"
                    + client.kvGet(layout.versionKey()).map(KvEntry::valueUtf8).orElse("") + "'). Pull, merge, push again.");
            return CONFLICT;
        }
        long claimed = client.kvGet(layout.versionKey()).map(KvEntry::modifyIndex).orElse(0L);
        Map<String, KvRoutesLayout.Item> items = layout.split(valid.get().getKey());
        List<KvEntry> existing = layout.configEntries(client.kvList(layout.prefix()).value());
        Map<String, KvEntry> byKey = new java.util.HashMap<>();
        existing.forEach(e -> byKey.put(e.key(), e));
        for (Map.Entry<String, KvRoutesLayout.Item> e : items.entrySet()) {
            byte[] value = e.getValue().json().getBytes(StandardCharsets.UTF_8);
            KvEntry old = byKey.get(e.getKey());
            if (old != null && old.flags() == e.getValue().flags() && java.util.Arrays.equals(old.value(), value)) {
                continue; // unchanged: no write, no wake-up for the nodes
            }
            client.kvPut(e.getKey(), value, OptionalLong.empty(), e.getValue().flags());
        }
        for (KvEntry e : existing) {
            if (!e.key().equals(layout.versionKey()) && !items.containsKey(e.key())) {
                client.kvDelete(e.key(), OptionalLong.empty());
            }
        }
        if (!client.kvPut(layout.versionKey(), v, OptionalLong.of(claimed), 0)) {
            err.println("loomgate: conflict: someone else wrote the version key during the push; pull and check");
            return CONFLICT;
        }
        err.println("pushed version " + version + " (" + valid.get().getValue().routes().size() + " routes, "
                + valid.get().getValue().upstreams().size() + " upstreams) to " + layout.prefix());
        return OK;
    }

    private int pull(ConsulClient client, KvRoutesLayout layout, Options o)
            throws ConsulException, InterruptedException, IOException {
        List<KvEntry> entries = layout.configEntries(client.kvList(layout.prefix()).value());
        if (entries.isEmpty()) {
            err.println("loomgate: no routes under " + layout.prefix());
            return CONSUL_ERROR;
        }
        if (layout.pending(entries)) {
            err.println("loomgate: warning: a push is in progress; this may be a mix of two versions");
        }
        String text = "# pulled from Consul KV " + layout.prefix() + "\n" + layout.assemble(entries).text();
        if (o.output().isPresent()) {
            Files.writeString(o.output().get(), text, StandardCharsets.UTF_8);
        } else {
            out.print(text);
        }
        return OK;
    }

    private int status(ConsulClient client, KvRoutesLayout layout) throws ConsulException, InterruptedException {
        List<KvEntry> all = client.kvList(layout.prefix()).value();
        String current = layout.versionEntry(all).map(e -> e.valueUtf8().strip()
                + (e.flags() == KvRoutesLayout.PENDING ? " (push in progress)" : "")).orElse("(none)");
        out.println("version in Consul: " + current);
        out.printf("%-24s %-9s %-16s %-16s %s%n", "NODE", "STATE", "VERSION", "SERVING", "REASON");
        for (KvEntry e : all) {
            if (!e.key().startsWith(layout.statusPrefix())) {
                continue;
            }
            try (var r = Json.createReader(new StringReader(e.valueUtf8()))) {
                JsonObject s = r.readObject();
                out.printf("%-24s %-9s %-16s %-16s %s%n", s.getString("node", "?"), s.getString("state", "?"),
                        s.getString("version", ""), s.getString("applied-version", ""),
                        s.getString("reason", "").replace('\n', ' '));
            } catch (RuntimeException ex) {
                out.printf("%-24s %s%n", e.key().substring(layout.statusPrefix().length()), "(unreadable status)");
            }
        }
        return OK;
    }

    private static Options parse(String[] args) {
        List<String> consul = List.of(Optional.ofNullable(System.getenv("CONSUL_HTTP_ADDR")).filter(s -> !s.isBlank())
                .orElse("127.0.0.1:8500"));
        Optional<String> token = Optional.ofNullable(System.getenv("LOOMGATE_CONSUL_TOKEN")).filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(System.getenv("CONSUL_HTTP_TOKEN")).filter(s -> !s.isBlank()));
        Optional<Path> ca = Optional.empty();
        String prefix = "loomgate/";
        Optional<String> expect = Optional.empty();
        boolean force = false;
        Optional<Path> output = Optional.empty();
        List<String> words = new ArrayList<>();
        Map<String, String> keyOptions = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--consul" -> consul = List.of(value(args, ++i, a).split(","));
                case "--token" -> token = Optional.of(value(args, ++i, a));
                case "--ca-file" -> ca = Optional.of(Path.of(value(args, ++i, a)));
                case "--prefix" -> {
                    prefix = value(args, ++i, a);
                    prefix = prefix.endsWith("/") ? prefix : prefix + "/";
                }
                case "--expect-version" -> expect = Optional.of(value(args, ++i, a));
                case "--force" -> force = true;
                case "-o", "--output" -> output = Optional.of(Path.of(value(args, ++i, a)));
                case "--pepper-file", "--pepper-env", "--scopes" -> keyOptions.put(a, value(args, ++i, a));
                case "--sha256" -> keyOptions.put(a, "");
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
                    words.add(a);
                }
            }
        }
        return new Options(consul, token, ca, prefix, expect, force, output, words, keyOptions);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
