package dev.loomgate.gateway.admin;

import java.util.function.BooleanSupplier;

import dev.loomgate.gateway.observe.GatewayMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;

/** The admin port's endpoints: liveness, readiness and Prometheus metrics. */
public final class AdminRouting {
    private AdminRouting() {
    }

    /**
     * @param ready whether this node should receive traffic (false while starting and draining)
     */
    public static void register(HttpRouting.Builder routing, GatewayMetrics metrics, BooleanSupplier ready,
                                java.util.function.Supplier<String> readyDetail) {
        routing.get("/health/live", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send("{\"status\":\"UP\"}");
        });
        routing.get("/health/ready", (req, res) -> {
            boolean up = ready.getAsBoolean();
            res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.send("{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"detail\":\"" + readyDetail.get() + "\"}");
        });
        routing.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.scrape());
        });
    }
}
