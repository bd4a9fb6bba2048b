package dev.loomgate.gateway.admin;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;

import dev.loomgate.gateway.observe.TrafficHistory;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * Rate, 5xx rate and p99 per route for the whole cluster from Prometheus's HTTP API
 * ({@code monitoring.prometheus-url}): the same numbers the node's own ring gives for one node,
 * summed over every node Prometheus scrapes. Four queries in parallel, each with a short timeout;
 * the caller falls back to the node's ring when any fails.
 */
final class PrometheusRates {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SERIES_STEP = Duration.ofSeconds(10);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    PrometheusRates(URI base) {
        this.base = base;
    }

    URI base() {
        return base;
    }

    /** Per route over {@code window}, sorted by route; throws when Prometheus does not answer a query. */
    List<TrafficHistory.RouteRate> rates(Duration window) throws IOException {
        String w = "[" + window.toSeconds() + "s]";
        CompletableFuture<Map<String, Double>> rate = vector("sum by (route) (rate(loomgate_route_requests_total" + w + "))");
        CompletableFuture<Map<String, Double>> errors = vector(
                "sum by (route) (rate(loomgate_route_requests_total{code=\"5xx\"}" + w + "))");
        CompletableFuture<Map<String, Double>> p99 = vector("histogram_quantile(0.99, sum by (route, le) "
                + "(rate(loomgate_route_request_duration_seconds_bucket" + w + ")))");
        Instant end = Instant.now();
        CompletableFuture<Map<String, List<Double>>> series = matrix(
                "sum by (route) (rate(loomgate_route_requests_total[1m]))", end.minus(window), end);
        try {
            CompletableFuture.allOf(rate, errors, p99, series).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e);
        }
        TreeSet<String> routes = new TreeSet<>(rate.join().keySet());
        routes.addAll(p99.join().keySet());
        List<TrafficHistory.RouteRate> out = new ArrayList<>();
        for (String route : routes) {
            Optional<Duration> q = Optional.ofNullable(p99.join().get(route)).filter(Double::isFinite)
                    .map(s -> Duration.ofNanos((long) (s * 1e9)));
            out.add(new TrafficHistory.RouteRate(route, rate.join().getOrDefault(route, 0.0),
                    errors.join().getOrDefault(route, 0.0), q, series.join().getOrDefault(route, List.of())));
        }
        return out;
    }

    private CompletableFuture<Map<String, Double>> vector(String query) {
        return get("/api/v1/query?query=" + enc(query)).thenApply(data -> {
            Map<String, Double> out = new TreeMap<>();
            for (JsonValue v : data.getJsonArray("result")) {
                JsonObject o = v.asJsonObject();
                out.put(o.getJsonObject("metric").getString("route", ""), number(o.getJsonArray("value")));
            }
            return out;
        });
    }

    private CompletableFuture<Map<String, List<Double>>> matrix(String query, Instant start, Instant end) {
        return get("/api/v1/query_range?query=" + enc(query) + "&start=" + start.getEpochSecond() + "&end="
                + end.getEpochSecond() + "&step=" + SERIES_STEP.toSeconds()).thenApply(data -> {
                    Map<String, List<Double>> out = new TreeMap<>();
                    for (JsonValue v : data.getJsonArray("result")) {
                        JsonObject o = v.asJsonObject();
                        List<Double> points = new ArrayList<>();
                        for (JsonValue p : o.getJsonArray("values")) {
                            double d = number(p.asJsonArray());
                            points.add(Double.isFinite(d) ? d : 0.0);
                        }
                        out.put(o.getJsonObject("metric").getString("route", ""), points);
                    }
                    return out;
                });
    }

    private CompletableFuture<JsonObject> get(String pathAndQuery) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(TIMEOUT).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(res -> {
            if (res.statusCode() != 200) {
                throw new CompletionException(new IOException("Prometheus answered " + res.statusCode()));
            }
            try (var reader = JSON.createReader(new StringReader(res.body()))) {
                JsonObject o = reader.readObject();
                if (!"success".equals(o.getString("status", ""))) {
                    throw new CompletionException(new IOException("Prometheus: " + o.getString("error", "failed")));
                }
                return o.getJsonObject("data");
            }
        });
    }

    /** A sample {@code [timestamp, "value"]}; Prometheus writes NaN and Inf as strings. */
    private static double number(JsonArray sample) {
        try {
            return Double.parseDouble(sample.getString(1));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
