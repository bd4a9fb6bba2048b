package dev.loomgate.gateway.policy.headers;

import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code response-headers:} changes the headers of the upstream's response on its way to the client (remove,
 * then set, then add). Answers the gateway makes itself (problems, preflights) are left alone: their headers
 * are the gateway's contract, not the upstream's.
 */
public final class ResponseHeadersFilterFactory implements FilterFactory<HeaderOps> {
    public static final String KEY = "response-headers";

    @Override
    public String key() {
        return KEY;
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
