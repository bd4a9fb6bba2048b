package dev.loomgate.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code loomgate jobs list|show|replay|purge}: the async routes' queues and dead letters through a node's admin API
 * ({@code /admin/jobs}, docs/ASYNC.md). Any node will do: the queues live in Redis. The node is {@code --admin URL}
 * (default {@code $LOOMGATE_ADMIN_URL}, else {@code http://127.0.0.1:9080}); the admin token {@code --admin-token}
 * (default {@code $LOOMGATE_ADMIN_TOKEN}).
 */
final class JobsCommand {
    static final String USAGE_TEXT = """
            loomgate jobs list [--route R]   queue figures per async route; with --route, R's dead jobs
            loomgate jobs show ID            one job: state, attempts, last error, consumer, target
            loomgate jobs replay ID          queue a dead job again (its attempts start over)
            loomgate jobs purge --route R    delete route R's dead jobs
              --admin URL                    a node's admin listener (default: $LOOMGATE_ADMIN_URL,
                                             else http://127.0.0.1:9080)
              --admin-token TOKEN            admin token (default: $LOOMGATE_ADMIN_TOKEN)
            """;
    static final int HTTP_ERROR = 5;
    private static final String DEFAULT_ADMIN = "http://127.0.0.1:9080";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    JobsCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int run(String... args) {
        String admin = env.getOrDefault("LOOMGATE_ADMIN_URL", DEFAULT_ADMIN);
        Optional<String> token = Optional.ofNullable(env.get("LOOMGATE_ADMIN_TOKEN")).filter(t -> !t.isBlank());
        Optional<String> route = Optional.empty();
        List<String> words = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--admin") || a.equals("--admin-token") || a.equals("--route")) {
                if (i + 1 >= args.length) {
                    return usage(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--admin" -> admin = v;
                    case "--admin-token" -> token = Optional.of(v);
                    default -> route = Optional.of(v);
                }
            } else if (a.startsWith("-")) {
                return usage("unknown option " + a);
            } else {
                words.add(a);
            }
        }
        if (words.isEmpty()) {
            return usage("expected 'jobs list|show|replay|purge'");
        }
        String base = admin.replaceAll("/+$", "") + "/admin/jobs";
        String cmd = words.get(0);
        return switch (cmd) {
            case "list" -> words.size() != 1 ? usage("'jobs list' takes no arguments")
                    : call("GET", route.map(r -> base + "/dead?route=" + encode(r)).orElse(base), token);
            case "show" -> words.size() != 2 ? usage("'jobs show' takes one job ID")
                    : call("GET", base + "/" + encode(words.get(1)), token);
            case "replay" -> words.size() != 2 ? usage("'jobs replay' takes one job ID")
                    : call("POST", base + "/" + encode(words.get(1)) + "/replay", token);
            case "purge" -> words.size() != 1 || route.isEmpty() ? usage("'jobs purge' needs --route R")
                    : call("DELETE", base + "/dead?route=" + encode(route.get()), token);
            default -> usage("unknown command 'jobs " + cmd + "'");
        };
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private int usage(String message) {
        err.println("loomgate: " + message);
        err.print(USAGE_TEXT);
        return LoomgateCli.USAGE;
    }

    private int call(String method, String url, Optional<String> token) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody());
        } catch (IllegalArgumentException e) {
            return usage("bad --admin URL: " + e.getMessage());
        }
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        b.header("X-Loomgate-Admin", "1"); // the admin listener's CSRF guard (docs/SECURITY.md)
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                err.println("loomgate: " + method + " " + url + " answered " + r.statusCode() + ": " + r.body());
                return HTTP_ERROR;
            }
            out.println(r.body());
            return LoomgateCli.OK;
        } catch (IOException e) {
            err.println("loomgate: cannot reach the admin API at " + url + ": " + e.getMessage());
            return LoomgateCli.CONSUL_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LoomgateCli.CONSUL_ERROR;
        }
    }
}
