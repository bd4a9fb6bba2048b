package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A bounded check (a few seconds) that the cluster works end to end, through the front:
 * <ol>
 *   <li>requests reach every gateway node ({@code X-Loomgate-Node});</li>
 *   <li>HAProxy's sticky cookie pins a client to one node;</li>
 *   <li>the routes served are the ones in Consul KV ({@code /kv} exists only there);</li>
 *   <li>the rate-limited route answers 429 cluster-wide: a burst spread over all nodes gets no more
 *       through than one shared bucket allows;</li>
 *   <li>a place-order saga (orders, stock, payments participants) completes: 201 and its status URL says
 *       {@code completed};</li>
 *   <li>with {@code --secure}: plain HTTP at the front is redirected to HTTPS, which carries HSTS; the JWT route
 *       admits this run's token and refuses none, a foreign one and a tampered one; the API-key route admits the
 *       key {@code loomgate keys create} made (once every node has read it from Consul) and refuses none and a
 *       wrong one.</li>
 * </ol>
 */
public final class SmokeCheck {
    /** One check's outcome. */
    public record Result(String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "ok    " : "FAIL  ") + name + ": " + detail;
        }
    }

    private final LocalCluster cluster;
    private final Probes probes;
    private final Optional<String> ns;
    private final String front;

    public SmokeCheck(LocalCluster cluster) {
        this.cluster = cluster;
        this.probes = cluster.probes();
        this.ns = cluster.clientNamespace();
        this.front = cluster.frontUrl();
    }

    /** Runs every check; each result is also reported to {@code progress}. */
    public List<Result> run(Consumer<String> progress) {
        List<Result> results = new ArrayList<>();
        List<CheckStep> checks = new ArrayList<>(List.of(this::allNodes, this::sticky, this::kvRoutes, this::rateLimit));
        if (cluster.sagaDemo().isPresent()) {
            checks.add(() -> SagaDemo.check(probes, ns, front));
        }
        if (cluster.frontSecurity().isPresent()) {
            checks.addAll(List.of(this::tlsFront, this::jwtRoute, this::apiKeyRoute));
        }
        for (var check : checks) {
            Result r;
            try {
                r = check.run();
            } catch (IOException | RuntimeException e) {
                r = new Result("check", false, e.toString());
            }
            progress.accept("smoke " + r);
            results.add(r);
        }
        return results;
    }

    /** Runs every check and throws with all details when one failed. */
    public void verify(Consumer<String> progress) {
        List<Result> results = run(progress);
        if (!results.stream().allMatch(Result::passed)) {
            StringBuilder sb = new StringBuilder("smoke check failed:");
            results.forEach(r -> sb.append("\n  ").append(r));
            throw new IllegalStateException(sb.toString());
        }
    }

    @FunctionalInterface
    private interface CheckStep {
        Result run() throws IOException;
    }

    private Result allNodes() throws IOException {
        Set<String> want = new TreeSet<>();
        cluster.gateways().forEach(g -> want.add(g.host()));
        Set<String> seen = new TreeSet<>();
        int sent = 0;
        List<Integer> statuses = new ArrayList<>();
        while (sent < 10 * want.size() && !seen.containsAll(want)) {
            for (Probes.Hit h : probes.burst(ns, front + "/demo/nodes", want.size(), Map.of())) {
                sent++;
                statuses.add(h.status());
                if (h.status() == 200) {
                    seen.add(h.node());
                }
            }
        }
        return new Result("every node reached", seen.containsAll(want),
                "saw " + seen + " of " + want + " in " + sent + " requests" + (seen.containsAll(want) ? ""
                        : ", statuses " + statuses));
    }

    private Result sticky() throws IOException {
        HttpResponse first = probes.get(ns, front + "/demo/sticky", Map.of(), Duration.ofSeconds(3));
        Optional<String> cookie = first.all("set-cookie").stream().filter(c -> c.startsWith("GWID="))
                .map(c -> c.split(";")[0]).findFirst();
        if (cookie.isEmpty()) {
            return new Result("sticky cookie", false, "no GWID cookie in " + first.headers());
        }
        String pinned = cookie.get().substring("GWID=".length());
        List<Probes.Hit> hits = probes.burst(ns, front + "/demo/sticky", 8, Map.of("Cookie", cookie.get()));
        boolean ok = hits.size() == 8 && hits.stream().allMatch(h -> h.status() == 200 && h.node().equals(pinned));
        return new Result("sticky cookie", ok, cookie.get() + " pinned 8 requests to " + pinned
                + (ok ? "" : ": got " + hits));
    }

    private Result kvRoutes() throws IOException {
        HttpResponse r = probes.get(ns, front + "/kv/hello", Map.of(), Duration.ofSeconds(3));
        boolean ok = r.status() == 200 && r.body().contains("\"path\":\"/kv/hello\"");
        return new Result("routes from Consul KV", ok, "GET /kv/hello (a route only in Consul KV) -> " + r.status()
                + " from " + r.header("X-Served-By").orElse("?"));
    }

    private Result rateLimit() throws IOException {
        int n = 30;
        long t0 = System.nanoTime();
        List<Probes.Hit> hits = probes.burst(ns, front + "/limited/x", n, Map.of());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long ok = hits.stream().filter(h -> h.status() == 200).count();
        long limited = hits.stream().filter(h -> h.status() == 429).count();
        Set<String> limitedBy = new TreeSet<>();
        hits.stream().filter(h -> h.status() == 429).forEach(h -> limitedBy.add(h.node()));
        // one shared bucket of 5/s lets at most 5 per started second (+ the initial burst) through;
        // node-local buckets would let 5 per node per second through
        long allowed = 5L * ((long) Math.ceil(seconds) + 1);
        boolean pass = limited > 0 && ok <= allowed && ok + limited == n;
        return new Result("rate limit cluster-wide", pass, n + " requests in " + String.format("%.1f", seconds)
                + " s: " + ok + " x 200, " + limited + " x 429 (from " + limitedBy + "), at most " + allowed
                + " may pass");
    }

    private Result tlsFront() throws IOException {
        HttpResponse plain = probes.get(ns, cluster.plainFrontUrl() + "/demo/plain", Map.of(), Duration.ofSeconds(3));
        String location = plain.header("Location").orElse("");
        HttpResponse tls = probes.get(ns, front + "/demo/tls", Map.of(), Duration.ofSeconds(3));
        String hsts = tls.header("Strict-Transport-Security").orElse("");
        boolean ok = plain.status() == 301 && location.equals(front + "/demo/plain") && tls.status() == 200
                && hsts.startsWith("max-age=");
        return new Result("TLS at the front", ok, "plain HTTP -> " + plain.status() + " " + location + "; HTTPS -> "
                + tls.status() + " with HSTS '" + hsts + "'");
    }

    private Result jwtRoute() throws IOException {
        FrontSecurity f = cluster.frontSecurity().orElseThrow();
        String url = front + "/secure/jwt/hello";
        String good = f.token("smoke-client", Duration.ofMinutes(5));
        String foreign;
        try {
            foreign = FrontSecurity.foreignToken("smoke-client");
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        String tampered = good.substring(0, good.lastIndexOf('.') + 1) + new StringBuilder(
                good.substring(good.lastIndexOf('.') + 1)).reverse();
        HttpResponse none = probes.get(ns, url, Map.of(), Duration.ofSeconds(3));
        HttpResponse ok = probes.get(ns, url, Map.of("Authorization", "Bearer " + good), Duration.ofSeconds(3));
        HttpResponse other = probes.get(ns, url, Map.of("Authorization", "Bearer " + foreign), Duration.ofSeconds(3));
        HttpResponse bad = probes.get(ns, url, Map.of("Authorization", "Bearer " + tampered), Duration.ofSeconds(3));
        boolean pass = none.status() == 401 && none.header("WWW-Authenticate").orElse("").startsWith("Bearer")
                && ok.status() == 200 && other.status() == 401 && bad.status() == 401;
        return new Result("JWT route", pass, "no token " + none.status() + ", this run's token " + ok.status()
                + ", a foreign key's token " + other.status() + ", tampered " + bad.status());
    }

    private Result apiKeyRoute() throws IOException {
        FrontSecurity f = cluster.frontSecurity().orElseThrow();
        String key = f.apiKey().orElseThrow(() -> new IOException("no API key was created"));
        String url = front + "/secure/key/hello";
        // every node reads the new key from Consul KV: ask each of them (sticky cookie off: round robin), bounded
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int admitted = 0, tries = 0;
        int nodes = cluster.gateways().size();
        while (admitted < 2 * nodes && System.nanoTime() < deadline) {
            tries++;
            int s = probes.get(ns, url, Map.of("X-Api-Key", key), Duration.ofSeconds(3)).status();
            admitted = s == 200 ? admitted + 1 : 0;
        }
        HttpResponse none = probes.get(ns, url, Map.of(), Duration.ofSeconds(3));
        String wrongKey = key.substring(0, key.length() - 2) + (key.endsWith("AA") ? "BB" : "AA");
        HttpResponse wrong = probes.get(ns, url, Map.of("X-Api-Key", wrongKey), Duration.ofSeconds(3));
        boolean pass = admitted >= 2 * nodes && none.status() == 401 && wrong.status() == 401;
        return new Result("API-key route", pass, "the created key: " + admitted + " requests in a row admitted ("
                + tries + " sent); no key " + none.status() + ", a wrong key " + wrong.status());
    }
}
