package dev.loomgate.gateway.policy.ipaccess;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.net.IpBlocks;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.FilterFactory;
import dev.loomgate.gateway.pipeline.ParseContext;
import dev.loomgate.gateway.pipeline.Phase;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/**
 * {@code ip-access:} admits a request by its client address ({@code RequestView.clientIp()}: the TCP peer, or behind
 * a proxy in {@code forwarded.trusted-proxies} the right-most untrusted X-Forwarded-For address). {@code allow:}
 * (when given) lists the only blocks admitted, {@code deny:} blocks refused; deny wins. A refused request gets a
 * 403 problem+json (type {@code forbidden}) and never reaches the upstream.
 */
public final class IpAccessFilterFactory implements FilterFactory<IpAccessRules> {
    public static final String KEY = "ip-access";
    private static final Set<String> KEYS = new LinkedHashSet<>(List.of("allow", "deny"));
    /** Says what happened, not which rule: the lists are the operator's business. */
    static final String DETAIL = "the client address may not use this route";

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public Phase phase() {
        return Phase.ACCESS_CONTROL;
    }

    @Override
    public IpAccessRules parse(YamlValue node, ParseContext context) throws ConfigException {
        if (!node.isMapping()) {
            throw node.error("expected a mapping with allow and/or deny (lists of addresses or CIDR blocks), or 'off'");
        }
        YamlValue.Fields f = node.fields(KEYS);
        if (!f.has("allow") && !f.has("deny")) {
            throw node.error("give allow, deny or both");
        }
        IpBlocks allow = f.has("allow") ? blocks(f.required("allow")) : IpBlocks.none();
        IpBlocks deny = f.has("deny") ? blocks(f.required("deny")) : IpBlocks.none();
        return new IpAccessRules(allow, deny);
    }

    /** Each entry checked on its own, so that an error names its line and index. */
    private static IpBlocks blocks(YamlValue list) throws ConfigException {
        List<String> cidrs = new ArrayList<>();
        for (YamlValue entry : list.sequence()) {
            String text = entry.nonBlankString();
            try {
                IpBlocks.of(List.of(text));
            } catch (IllegalArgumentException e) {
                throw entry.error(e.getMessage());
            }
            cidrs.add(text.strip());
        }
        if (cidrs.isEmpty()) {
            throw list.error("must not be empty (leave it out to " + (list.path().endsWith("allow")
                    ? "admit every address that is not denied)" : "deny nothing)"));
        }
        return IpBlocks.of(cidrs);
    }

    @Override
    public Filter create(IpAccessRules rules, FilterContext context) {
        Problem refused = new Problem(Problem.Type.FORBIDDEN, DETAIL);
        return (exchange, chain) -> {
            if (rules.admits(exchange.request().clientIp())) {
                chain.proceed();
            } else {
                exchange.answer(refused);
            }
        };
    }
}
