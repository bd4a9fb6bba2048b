package dev.loomgate.gateway.policy.headers;

import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code request-headers:} changes the headers of the request sent upstream; {@code response-headers:} those of
 * the upstream's response on its way to the client. Both remove, then set, then add. Answers the gateway makes
 * itself (problems, preflights) keep their headers: those are the gateway's contract, not the upstream's.
 */
public final class HeaderOpsFilterFactory implements FilterFactory<HeaderOps> {
    public static final String REQUEST_KEY = "request-headers";
    public static final String RESPONSE_KEY = "response-headers";

    private final boolean response;

    private HeaderOpsFilterFactory(boolean response) {
        this.response = response;
    }

    /** {@code request-headers:}. */
    public static HeaderOpsFilterFactory request() {
        return new HeaderOpsFilterFactory(false);
    }

    /** {@code response-headers:}. */
    public static HeaderOpsFilterFactory response() {
        return new HeaderOpsFilterFactory(true);
    }

    @Override
    public String key() {
        return response ? RESPONSE_KEY : REQUEST_KEY;
    }

    @Override
    public Phase phase() {
        return Phase.REQUEST_TRANSFORMATION;
    }

    @Override
    public HeaderOps parse(YamlValue node, ParseContext context) throws ConfigException {
        return HeaderOpsParser.parse(node);
    }

    @Override
    public Filter create(HeaderOps ops, FilterContext context) {
        if (!response) {
            return (exchange, chain) -> {
                ops.applyTo(exchange.upstreamHeaders());
                chain.proceed();
            };
        }
        return (exchange, chain) -> {
            exchange.onResponseHead(head -> {
                if (head.fromUpstream()) {
                    ops.applyTo(head.headers());
                }
            });
            chain.proceed();
        };
    }
}
