package dev.loomgate.gateway.policy.headers;

import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** {@code request-headers:} changes the headers of the request sent upstream (remove, then set, then add). */
public final class RequestHeadersFilterFactory implements FilterFactory<HeaderOps> {
    public static final String KEY = "request-headers";

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
            ops.applyTo(exchange.upstreamHeaders());
            chain.proceed();
        };
    }
}
