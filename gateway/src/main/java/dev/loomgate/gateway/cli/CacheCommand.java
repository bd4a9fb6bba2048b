package dev.loomgate.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;

/**
 * {@code loomgate cache purge ...}: asks one node's admin API to purge; that node tells every other node (docs/CACHE.md).
 * Exit codes: 0 purged, 2 usage error, 4 the admin API refused or was unreachable.
 */
final class CacheCommand {
    static final String HELP = """
            Usage: loomgate cache purge --route ROUTE                 every entry of a route
                   loomgate cache purge --route ROUTE --path /p?q [--host HOST]   one key
                   loomgate cache purge --tag TAG                     entries tagged by the upstream
                                                                      (Cache-Tag / Surrogate-Key)
                   loomgate cache purge --key HEX                     one key by its hash
            Options:
              --admin URL            a node's admin API (default: $LOOMGATE_ADMIN_URL, else http://127.0.0.1:9080)
              --admin-token TOKEN    admin bearer token (default: $LOOMGATE_ADMIN_TOKEN)
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    CacheCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int run(String[] args) {
        if (args.length >= 2 && (args[1].equals("-h") || args[1].equals("--help"))) {
            out.print(HELP);
            return LoomgateCli.OK;
        }
        if (args.length < 2 || !args[1].equals("purge")) {
            err.print("loomgate: expected 'cache purge ...'\n" + HELP);
            return LoomgateCli.USAGE;
        }
        JsonObjectBuilder body = Json.createObjectBuilder();
        String admin = env.getOrDefault("LOOMGATE_ADMIN_URL", "http://127.0.0.1:9080");
        Optional<String> token = Optional.ofNullable(env.get("LOOMGATE_ADMIN_TOKEN"));
        int fields = 0;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                err.println("loomgate: " + a + " needs a value (see loomgate cache --help)");
                return LoomgateCli.USAGE;
            }
            String v = args[++i];
            switch (a) {
                case "--route", "--tag", "--key", "--path", "--host" -> {
                    body.add(a.substring(2), v);
                    fields++;
                }
                case "--admin" -> admin = v;
                case "--admin-token" -> token = Optional.of(v);
                default -> {
                    err.println("loomgate: unknown option " + a + " (see loomgate cache --help)");
                    return LoomgateCli.USAGE;
                }
            }
        }
        if (fields == 0) {
            err.println("loomgate: say what to purge: --route, --tag or --key (see loomgate cache --help)");
            return LoomgateCli.USAGE;
        }
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(admin.replaceAll("/+$", "")
                            + "/admin/cache/purge"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("X-Loomgate-Admin", "1")
                    .POST(HttpRequest.BodyPublishers.ofString(body.build().toString()));
            token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
            HttpResponse<String> res;
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            }
            if (res.statusCode() != 200) {
                err.println("loomgate: purge refused (" + res.statusCode() + "): " + res.body());
                return LoomgateCli.CONSUL_ERROR;
            }
            out.println(res.body());
            return LoomgateCli.OK;
        } catch (IOException | IllegalArgumentException e) {
            err.println("loomgate: admin API at " + admin + " unreachable: " + e.getMessage());
            return LoomgateCli.CONSUL_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LoomgateCli.CONSUL_ERROR;
        }
    }
}
