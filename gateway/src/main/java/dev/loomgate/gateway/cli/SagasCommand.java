package dev.loomgate.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
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

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * {@code loomgate sagas list|show|retry|abort}: the saga part of a node's admin API (docs/SAGAS.md, Operating). Any
 * node will do: the saga log is shared through Redis; {@code retry} resumes the saga on the node asked.
 * Exit codes: 0 ok, 1 no such saga, 2 usage, 3 refused (not stuck, lease held), 4 node unreachable or error.
 */
final class SagasCommand {
    static final String HELP = """
            Usage: loomgate sagas list [--state STATE] | show ID | retry ID | abort ID  [--admin URL] [--admin-token T]
              list                 unfinished and recently finished sagas (--state stuck: the ones waiting for you)
              show ID              one saga: state, outcome, every step's status, the failure reason
              retry ID             resume a stuck saga (one more bounded round of attempts)
              abort ID             give a stuck saga up (final state aborted; settle participants by hand)
              --admin URL          a node's admin listener (default: $LOOMGATE_ADMIN_URL, else http://127.0.0.1:9080)
              --admin-token T      admin bearer token (default: $LOOMGATE_ADMIN_TOKEN)
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    SagasCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int run(String... args) {
        List<String> words = new ArrayList<>();
        String admin = env.getOrDefault("LOOMGATE_ADMIN_URL", "http://127.0.0.1:9080");
        Optional<String> token = Optional.ofNullable(env.get("LOOMGATE_ADMIN_TOKEN"));
        Optional<String> state = Optional.empty();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--admin") || a.equals("--admin-token") || a.equals("--state")) && i + 1 >= args.length) {
                err.println("loomgate: " + a + " needs a value");
                return LoomgateCli.USAGE;
            }
            switch (a) {
                case "-h", "--help" -> {
                    out.print(HELP);
                    return LoomgateCli.OK;
                }
                case "--admin" -> admin = args[++i];
                case "--admin-token" -> token = Optional.of(args[++i]);
                case "--state" -> state = Optional.of(args[++i]);
                default -> words.add(a);
            }
        }
        if (words.isEmpty() || !List.of("list", "show", "retry", "abort").contains(words.get(0))
                || words.size() != (words.get(0).equals("list") ? 1 : 2)) {
            err.print(HELP);
            return LoomgateCli.USAGE;
        }
        String base = admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin;
        String cmd = words.get(0);
        String path = switch (cmd) {
            case "list" -> "/admin/sagas" + state.map(s -> "?state=" + URLEncoder.encode(s, StandardCharsets.UTF_8)).orElse("");
            case "show" -> "/admin/sagas/" + id(words.get(1));
            default -> "/admin/sagas/" + id(words.get(1)) + "/" + cmd;
        };
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
        if (cmd.equals("retry") || cmd.equals("abort")) {
            req.header("X-Loomgate-Admin", "1").POST(HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> res;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            err.println("loomgate: admin API at " + base + " unreachable: " + e.getMessage());
            return LoomgateCli.CONSUL_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LoomgateCli.CONSUL_ERROR;
        }
        JsonObject body;
        try {
            body = Json.createReader(new StringReader(res.body())).readObject();
        } catch (JsonException | IllegalStateException e) {
            err.println("loomgate: " + res.statusCode() + " from " + base + path + ": " + res.body());
            return LoomgateCli.CONSUL_ERROR;
        }
        if (res.statusCode() != 200) {
            err.println("loomgate: " + body.getString("detail", res.body()));
            return res.statusCode() == 404 ? LoomgateCli.INVALID : res.statusCode() == 409 ? LoomgateCli.CONFLICT
                    : LoomgateCli.CONSUL_ERROR;
        }
        if (cmd.equals("list")) {
            out.printf("%-32s  %-12s  %-20s  %-16s  %s%n", "ID", "STATE", "OUTCOME", "ROUTE", "FAILED STEP / REASON");
            for (JsonValue v : body.getJsonArray("sagas")) {
                JsonObject s = v.asJsonObject();
                out.printf("%-32s  %-12s  %-20s  %-16s  %s%n", s.getString("id"), s.getString("state"),
                        s.getString("outcome"), s.getString("route"),
                        s.containsKey("failedStep") ? s.getString("failedStep") + ": " + s.getString("reason", "") : "");
            }
        } else if (cmd.equals("show")) {
            out.println(body);
        } else {
            out.println(body.getString("detail"));
        }
        return LoomgateCli.OK;
    }

    private static String id(String id) {
        if (!id.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("a saga id is 32 hex digits, got '" + id + "'");
        }
        return id;
    }
}
