package dev.loomgate.gateway.admin;

import java.time.Duration;
import java.util.Optional;

import dev.loomgate.gateway.resilience.CircuitBreaker;
import dev.loomgate.gateway.resilience.EndpointHealth;
import dev.loomgate.gateway.resilience.ResilienceRegistry;
import dev.loomgate.gateway.resilience.RetryPolicy;
import dev.loomgate.gateway.resilience.Timeouts;
import dev.loomgate.gateway.resilience.UpstreamResilience;
import dev.loomgate.gateway.pipeline.RoutePipeline;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.upstream.Upstream;
import dev.loomgate.gateway.upstream.UpstreamHost;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/** JSON views of routes and upstreams for the admin API. */
final class AdminJson {
    private static final JsonProvider JSON = JsonProvider.provider();

    private AdminJson() {
    }

    /** @param pipeline the route's policies (their keys, in run order) */
    static JsonObjectBuilder route(Route r, RoutePipeline pipeline) {
        JsonArrayBuilder filters = JSON.createArrayBuilder();
        pipeline.keys().forEach(filters::add);
        JsonArrayBuilder hosts = JSON.createArrayBuilder();
        r.hosts().forEach(hosts::add);
        JsonArrayBuilder methods = JSON.createArrayBuilder();
        r.methods().forEach(methods::add);
        RetryPolicy p = r.resilience().retries();
        JsonArrayBuilder on = JSON.createArrayBuilder();
        p.on().stream().map(RetryPolicy.Condition::configName).sorted().forEach(on::add);
        p.statuses().stream().sorted().forEach(on::add);
        return JSON.createObjectBuilder()
                .add("id", r.id())
                .add("upstream", r.upstream())
                .add("hosts", hosts)
                .add("path", r.path().toString())
                .add("methods", methods)
                .add("filters", filters)
                .add("timeouts", timeouts(r.resilience().timeouts()))
                .add("retries", JSON.createObjectBuilder()
                        .add("attempts", p.attempts())
                        .add("on", on)
                        .add("budgetPercent", p.budgetPercent())
                        .add("budgetMinPerSecond", p.budgetMinPerSecond())
                        .add("maxBufferedBody", p.maxBufferedBody()));
    }

    static JsonObjectBuilder upstream(Upstream u, ResilienceRegistry registry) {
        UpstreamResilience r = u.definition().resilience();
        JsonArrayBuilder endpoints = JSON.createArrayBuilder();
        for (UpstreamHost h : u.hosts()) {
            EndpointHealth health = h.health();
            endpoints.add(JSON.createObjectBuilder()
                    .add("address", h.endpoint().id())
                    .add("weight", h.weight())
                    .add("available", h.available())
                    .add("health", r.healthCheck().isEmpty() ? "unchecked" : health.checkHealthy() ? "healthy" : "unhealthy")
                    .add("ejected", health.ejected())
                    .add("ejectedForMs", health.ejectedForMillis())
                    .add("ejections", health.ejections())
                    .add("consecutiveFailures", health.consecutiveFailures())
                    .add("markedUnavailable", h.markedUnavailable())
                    .add("inFlight", h.inFlight()));
        }
        JsonObjectBuilder b = JSON.createObjectBuilder()
                .add("name", u.name())
                .add("loadBalancer", u.definition().loadBalancer().configName())
                .add("inFlight", registry.inFlight(u.name()))
                .add("maxInFlight", r.maxInFlight())
                .add("panicMode", r.panicMode())
                .add("allUnhealthy", u.allUnhealthy())
                .add("timeouts", timeouts(r.timeouts()))
                .add("endpoints", endpoints);
        Optional<CircuitBreaker> breaker = registry.breaker(u.name());
        if (breaker.isPresent()) {
            b.add("circuitBreaker", JSON.createObjectBuilder()
                    .add("state", breaker.get().state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                    .add("retryAfterMs", breaker.get().retryAfter().toMillis()));
        } else {
            b.add("circuitBreaker", r.circuitBreaker().isPresent()
                    ? JSON.createObjectBuilder().add("state", "closed").build() : JsonValue.NULL);
        }
        b.add("healthCheck", r.healthCheck().<JsonValue>map(hc -> JSON.createObjectBuilder()
                .add("path", hc.path())
                .add("intervalMs", hc.interval().toMillis())
                .add("timeoutMs", hc.timeout().toMillis())
                .add("healthyThreshold", hc.healthyThreshold())
                .add("unhealthyThreshold", hc.unhealthyThreshold()).build()).orElse(JsonValue.NULL));
        return b;
    }

    private static JsonObjectBuilder timeouts(Timeouts t) {
        JsonObjectBuilder b = JSON.createObjectBuilder();
        t.connect().map(Duration::toMillis).ifPresent(v -> b.add("connectMs", v));
        t.response().map(Duration::toMillis).ifPresent(v -> b.add("responseMs", v));
        t.total().map(Duration::toMillis).ifPresent(v -> b.add("totalMs", v));
        return b;
    }
}
