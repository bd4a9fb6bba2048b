package dev.loomgate.gateway.saga;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.loomgate.gateway.redis.RedisKeys;
import dev.loomgate.gateway.saga.SagaDefinition.Call;
import dev.loomgate.gateway.saga.SagaDefinition.Kind;
import dev.loomgate.gateway.saga.SagaDefinition.Mode;
import dev.loomgate.gateway.saga.SagaDefinition.Step;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.yaml.YamlValue;

/** Parses a route's {@code saga:} / {@code tcc:} block (docs/SAGAS.md), rejecting what cannot run with "field: reason". */
final class DefinitionParser {
    private static final Set<String> TOP = set("steps", "response", "wait", "async", "lease", "status-prefix");
    private static final Set<String> SAGA_STEP = set("name", "kind", "upstream", "action", "compensation");
    private static final Set<String> TCC_STEP = set("name", "upstream", "try", "confirm", "cancel");
    private static final Set<String> CALL = set("method", "path", "body", "timeout", "attempts", "backoff");
    private static final Set<String> RESPONSE = set("status", "body");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final int MAX_STEPS = 32;

    private DefinitionParser() {
    }

    private static Set<String> set(String... keys) {
        return new LinkedHashSet<>(List.of(keys));
    }

    /**
     * @param defaultUpstream the route's upstream, used by steps that name none
     * @param upstreams       the upstreams the routes document defines
     */
    static SagaDefinition parse(YamlValue node, Mode mode, String routeId, String defaultUpstream, Set<String> upstreams)
            throws ConfigException {
        YamlValue.Fields f = node.fields(TOP);
        List<YamlValue> stepNodes = f.required("steps").sequence();
        if (stepNodes.isEmpty() || stepNodes.size() > MAX_STEPS) {
            throw f.required("steps").error("needs 1.." + MAX_STEPS + " steps, got " + stepNodes.size());
        }
        List<Step> steps = new ArrayList<>();
        Set<String> before = new HashSet<>();
        Kind last = Kind.COMPENSATABLE;
        int group = 0;
        for (YamlValue s : stepNodes) {
            group++;
            List<YamlValue> members = List.of(s);
            boolean parallel = s.isMapping() && s.mapping().containsKey("parallel");
            if (parallel) {
                members = s.fields(Set.of("parallel")).required("parallel").sequence();
                if (members.size() < 2) {
                    throw s.error("a parallel group needs at least 2 steps, got " + members.size());
                }
            }
            // members of a group may not read each other: they run at the same time
            Set<String> visible = Set.copyOf(before);
            for (YamlValue m : members) {
                Step step = mode == Mode.SAGA ? sagaStep(m, group, defaultUpstream, upstreams, visible)
                        : tccStep(m, group, defaultUpstream, upstreams, visible);
                if (before.contains(step.name())) {
                    throw m.error("duplicate step name '" + step.name() + "'");
                }
                if (parallel && step.kind() != Kind.COMPENSATABLE) {
                    throw m.error("step '" + step.name() + "' is " + lower(step.kind()) + "; a parallel group holds compensatable steps only");
                }
                if (step.kind().ordinal() < last.ordinal() || (step.kind() == Kind.PIVOT && last == Kind.PIVOT)) {
                    throw m.error("step '" + step.name() + "' is " + lower(step.kind()) + " after a " + lower(last)
                            + " step; order is compensatable steps, at most one pivot, then retriable steps");
                }
                last = step.kind();
                steps.add(step);
                before.add(step.name());
            }
        }
        Optional<Template> body = Optional.empty();
        int status = 200;
        if (f.has("response")) {
            YamlValue.Fields r = f.required("response").fields(RESPONSE);
            if (r.has("status")) {
                status = r.required("status").intIn(200, 299);
            }
            if (r.has("body")) {
                body = Optional.of(checked(r.required("body"), before, Optional.empty()));
            }
        }
        Duration wait = f.duration("wait", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5));
        boolean async = f.optional("async").isPresent() && f.required("async").bool();
        Duration lease = f.duration("lease", Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofMinutes(10));
        String prefix = f.optional("status-prefix").isPresent() ? f.required("status-prefix").nonBlankString() : "/sagas/";
        if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
            throw f.required("status-prefix").error("must start and end with '/', got '" + prefix + "'");
        }
        String version = RedisKeys.sha256Hex(mode + "|" + steps + "|" + body + "|" + status).substring(0, 16);
        return new SagaDefinition(routeId, mode, version, steps, body, status, wait, async, lease, prefix);
    }

    private static Step sagaStep(YamlValue node, int group, String dflt, Set<String> upstreams, Set<String> before)
            throws ConfigException {
        YamlValue.Fields f = node.fields(SAGA_STEP);
        String name = name(f, before);
        String upstream = upstream(f, dflt, upstreams);
        Kind kind = Kind.COMPENSATABLE;
        if (f.has("kind")) {
            String k = f.required("kind").nonBlankString().toUpperCase(Locale.ROOT);
            try {
                kind = Kind.valueOf(k);
            } catch (IllegalArgumentException e) {
                throw f.required("kind").error("must be compensatable, pivot or retriable, got '" + k.toLowerCase(Locale.ROOT) + "'");
            }
        }
        Call action = call(f.required("action"), upstream, before, Optional.empty(), 3);
        Optional<Call> compensation = Optional.empty();
        if (kind == Kind.COMPENSATABLE) {
            if (!f.has("compensation")) {
                throw node.error("step '" + name + "' is compensatable and needs a compensation");
            }
            compensation = Optional.of(call(f.required("compensation"), upstream, before, Optional.of(name), 5));
        } else if (f.has("compensation")) {
            throw f.required("compensation").error("a " + lower(kind) + " step is never compensated; drop it or make the step compensatable");
        }
        return new Step(name, group, kind, action, compensation, Optional.empty());
    }

    private static Step tccStep(YamlValue node, int group, String dflt, Set<String> upstreams, Set<String> before)
            throws ConfigException {
        YamlValue.Fields f = node.fields(TCC_STEP);
        String name = name(f, before);
        String upstream = upstream(f, dflt, upstreams);
        Call tryCall = call(f.required("try"), upstream, before, Optional.empty(), 3);
        Call confirm = call(f.required("confirm"), upstream, before, Optional.of(name), 5);
        Call cancel = call(f.required("cancel"), upstream, before, Optional.of(name), 5);
        return new Step(name, group, Kind.COMPENSATABLE, tryCall, Optional.of(cancel), Optional.of(confirm));
    }

    private static String name(YamlValue.Fields f, Set<String> before) throws ConfigException {
        YamlValue n = f.required("name");
        String name = n.nonBlankString();
        if (!name.matches("[a-zA-Z0-9_-]{1,64}")) {
            throw n.error("must be 1..64 letters, digits, '-' or '_', got '" + name + "'");
        }
        if (before.contains(name)) {
            throw n.error("duplicate step name '" + name + "'");
        }
        return name;
    }

    private static String upstream(YamlValue.Fields f, String dflt, Set<String> upstreams) throws ConfigException {
        if (!f.has("upstream")) {
            return dflt;
        }
        YamlValue u = f.required("upstream");
        String name = u.nonBlankString();
        if (!upstreams.isEmpty() && !upstreams.contains(name)) {
            throw u.error("unknown upstream '" + name + "' (defined: " + String.join(", ", new TreeSet<>(upstreams)) + ")");
        }
        return name;
    }

    /** @param self the step whose own response this call may read (its compensation, confirm or cancel) */
    private static Call call(YamlValue node, String upstream, Set<String> before, Optional<String> self, int attempts)
            throws ConfigException {
        YamlValue.Fields f = node.fields(CALL);
        String method = f.required("method").nonBlankString().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw f.required("method").error("must be one of GET, POST, PUT, PATCH, DELETE, got '" + method + "'");
        }
        YamlValue pathNode = f.required("path");
        Template.Text path = Template.Text.parse(pathNode);
        if (!pathNode.string().startsWith("/")) {
            throw pathNode.error("must start with '/'");
        }
        checkRefs(pathNode, path.refs(), before, self);
        Optional<Template> body = f.has("body") ? Optional.of(checked(f.required("body"), before, self)) : Optional.empty();
        Duration timeout = f.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(5));
        int tries = f.has("attempts") ? f.required("attempts").intIn(1, 20) : attempts;
        Duration backoff = f.duration("backoff", Duration.ofMillis(100), Duration.ZERO, Duration.ofMinutes(1));
        return new Call(upstream, method, path, body, timeout, tries, backoff);
    }

    private static Template checked(YamlValue node, Set<String> before, Optional<String> self) throws ConfigException {
        Template t = Template.parse(node);
        checkRefs(node, t.refs(), before, self);
        return t;
    }

    private static void checkRefs(YamlValue node, List<Expr> refs, Set<String> before, Optional<String> self)
            throws ConfigException {
        for (Expr e : refs) {
            Optional<String> step = e.step();
            if (step.isPresent() && !before.contains(step.get()) && !self.equals(step)) {
                throw node.error(e + " refers to step '" + step.get() + "', which does not run before this call"
                        + " (unknown step, or a cycle / forward reference)");
            }
        }
    }

    private static String lower(Kind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }
}
