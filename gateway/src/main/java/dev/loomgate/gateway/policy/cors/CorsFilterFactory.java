package dev.loomgate.gateway.policy.cors;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.pipeline.Exchange;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.pipeline.ResponseHead;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code cors:} answers CORS preflights at the gateway (204 when allowed, 403 problem+json when not; never
 * forwarded) and gives every other response of the route (the upstream's, and the gateway's own problems such
 * as a 429) the CORS headers for an allowed Origin. See docs/CONFIG.md#cors.
 */
public final class CorsFilterFactory implements FilterFactory<CorsPolicy> {
    public static final String KEY = "cors";

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.CORS;
    }

    @Override
    public CorsPolicy parse(YamlValue node, ParseContext context) throws ConfigException {
        return CorsParser.parse(node, context.route(), context.inherited());
    }

    @Override
    public Filter create(CorsPolicy policy, FilterContext context) {
        return (exchange, chain) -> {
            RequestView request = exchange.request();
            // a browser sends one Origin; more than one is no origin we could name in an answer
            List<String> origins = request.headerValues("Origin");
            if (CorsPolicy.isPreflight(request)) {
                preflight(exchange, policy, origins);
                return;
            }
            Map<String, String> cors = origins.size() == 1 ? policy.actualResponseHeaders(origins.getFirst())
                    : policy.responseHeadersWithoutOrigin();
            exchange.onResponseHead(head -> decorate(head, policy, cors));
            chain.proceed();
        };
    }

    private static void preflight(Exchange exchange, CorsPolicy policy, List<String> origins) {
        RequestView request = exchange.request();
        CorsPolicy.PreflightDecision d = origins.size() != 1
                ? CorsPolicy.PreflightDecision.refused("origin is not allowed")
                : policy.preflight(origins.getFirst(), request.header(CorsPolicy.REQUEST_METHOD).orElseThrow(),
                        request.headerValues(CorsPolicy.REQUEST_HEADERS));
        if (!d.allowed()) {
            exchange.answer(new Problem(Problem.Type.FORBIDDEN, "CORS preflight refused: " + d.reason()));
            return;
        }
        exchange.response().status(204);
        MutableHeaders h = exchange.response().headers();
        d.headers().forEach(h::set);
        exchange.response().send();
    }

    /**
     * The route's CORS answer replaces any the upstream gave (two Access-Control-Allow-Origin headers make a
     * browser refuse the response), and a response that depends on Origin says so to caches.
     */
    private static void decorate(ResponseHead head, CorsPolicy policy, Map<String, String> cors) {
        MutableHeaders h = head.headers();
        h.remove(CorsPolicy.ALLOW_ORIGIN);
        h.remove(CorsPolicy.ALLOW_CREDENTIALS);
        h.remove(CorsPolicy.EXPOSE_HEADERS);
        cors.forEach(h::set);
        if (policy.variesByOrigin() && !varies(head.header("Vary").orElse(""))) {
            h.add("Vary", "Origin");
        }
    }

    private static boolean varies(String vary) {
        for (String item : vary.split(",")) {
            String v = item.strip().toLowerCase(Locale.ROOT);
            if (v.equals("origin") || v.equals("*")) {
                return true;
            }
        }
        return false;
    }
}
