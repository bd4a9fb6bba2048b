package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.pipeline.PipelineSpec;
import dev.loomgate.gateway.policy.headers.HeaderOps;
import dev.loomgate.gateway.testing.Rewrites;
import dev.loomgate.gateway.route.PathPattern;
import dev.loomgate.gateway.route.PathRewrite;
import dev.loomgate.gateway.route.Route;
import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.route.TestRequest;
import dev.loomgate.gateway.route.ValueCondition;
import dev.loomgate.gateway.upstream.Endpoint;
import dev.loomgate.gateway.upstream.HashKeySpec;
import dev.loomgate.gateway.upstream.LoadBalancerKind;
import dev.loomgate.gateway.upstream.PeakEwmaSettings;
import dev.loomgate.gateway.upstream.UpstreamDefinition;

class RoutesParserTest {
    private static final String FULL = """
            version: "2026-11-24.1"
            upstreams:
              - name: demo
                endpoints:
                  - 127.0.0.1:9001
                  - { address: 127.0.0.1:9002, weight: 3 }
              - name: sticky
                load-balancer: consistent-hash
                hash-key: { header: X-User }
                endpoints: ["[::1]:9003"]
              - name: by-ip
                load-balancer: least-request
                endpoints: [localhost:9004]
            routes:
              - id: users
                upstream: demo
                match:
                  hosts: [API.example.com, "*.example.com"]
                  path: /users/{id}
                  methods: [get, POST]
                  headers:
                    - { name: X-Env, equals: prod }
                    - { name: User-Agent, regex: "curl/.*" }
                    - { name: X-Debug, present: true }
                    - { name: X-Test, present: false }
                  query:
                    - { name: v, equals: 2 }
                rewrite:
                  path: /internal/{id}
                request-headers:  { set: {X-A: "1"}, add: {X-B: "2"}, remove: [X-C] }
                response-headers: { set: {X-Served-By: loomgate} }
              - id: strip
                upstream: sticky
                match: { path-prefix: /api }
                rewrite: { strip-prefix: true }
              - id: replace
                upstream: by-ip
                match: { path-prefix: /old }
                rewrite: { replace-prefix: /new }
              - id: fallback
                upstream: demo
            """;

    @Test
    void parsesAFullDocument() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse(FULL, "routes.yaml");
        assertEquals("2026-11-24.1", doc.version());
        assertEquals(List.of(
                new UpstreamDefinition("demo", List.of(new Endpoint("127.0.0.1", 9001, 1), new Endpoint("127.0.0.1", 9002, 3)),
                        LoadBalancerKind.ROUND_ROBIN, Optional.empty()),
                new UpstreamDefinition("sticky", List.of(new Endpoint("::1", 9003, 1)),
                        LoadBalancerKind.CONSISTENT_HASH, Optional.of(HashKeySpec.header("X-User"))),
                new UpstreamDefinition("by-ip", List.of(new Endpoint("localhost", 9004, 1)),
                        LoadBalancerKind.LEAST_REQUEST, Optional.empty())),
                doc.upstreams());
        assertEquals(List.of("users", "strip", "replace", "fallback"), doc.routes().stream().map(Route::id).toList());

        Route users = doc.routes().get(0);
        assertEquals("demo", users.upstream());
        assertEquals(List.of("api.example.com", "*.example.com"), users.hosts());
        assertEquals(PathPattern.Kind.TEMPLATE, users.path().kind());
        assertEquals(List.of("GET", "POST"), users.methods());
        assertEquals(List.of(ValueCondition.Kind.EQUALS, ValueCondition.Kind.REGEX, ValueCondition.Kind.PRESENT,
                ValueCondition.Kind.ABSENT), users.headers().stream().map(ValueCondition::kind).toList());
        assertEquals("2", users.query().get(0).value());
        PipelineSpec pipeline = doc.pipeline("users");
        assertEquals(new HeaderOps(Map.of("X-A", "1"), Map.of("X-B", "2"), List.of("X-C")),
                pipeline.config("request-headers", HeaderOps.class).orElseThrow());
        assertEquals(Map.of("X-Served-By", "loomgate"), pipeline.config("response-headers", HeaderOps.class).orElseThrow().set());
        assertEquals(PathRewrite.Kind.TEMPLATE, pipeline.config("rewrite", PathRewrite.class).orElseThrow().kind());
        assertEquals(List.of("rewrite", "request-headers", "response-headers"), pipeline.keys());

        RouteMatch m = doc.routeTable().match(TestRequest.get("x.example.com", "/users/7?v=2")
                .withHeader("X-Env", "prod").withHeader("User-Agent", "curl/8").withHeader("X-Debug", "1"))
                .orElseThrow();
        assertEquals("users", m.route().id());
        assertEquals("/internal/7", Rewrites.upstreamPath(doc, m));
        assertEquals("strip", doc.routeTable().match(TestRequest.get("/api/x")).orElseThrow().route().id());
        assertEquals("/x", Rewrites.upstreamPath(doc, doc.routeTable().match(TestRequest.get("/api/x")).orElseThrow()));
        assertEquals("/new/x", Rewrites.upstreamPath(doc, doc.routeTable().match(TestRequest.get("/old/x")).orElseThrow()));
        assertEquals("fallback", doc.routeTable().match(TestRequest.get("/users/7")).orElseThrow().route().id());
    }

    @Test
    void versionDefaultsToAContentHash() throws ConfigException {
        String text = "upstreams: [{name: a, endpoints: [127.0.0.1:1]}]\n";
        RoutesDocument doc = RoutesParser.parse(text, "r.yaml");
        assertTrue(doc.version().matches("[0-9a-f]{12}"), doc.version());
        assertEquals(doc.version(), RoutesParser.parse(text, "other.yaml").version());
        assertFalse(doc.version().equals(RoutesParser.parse(text + "# changed\n", "r.yaml").version()));
    }

    @Test
    void clientIpAndCookieHashKeys() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse("""
                upstreams:
                  - { name: a, load-balancer: consistent-hash, hash-key: { client-ip: true }, endpoints: [127.0.0.1:1] }
                  - { name: b, load-balancer: consistent-hash, hash-key: { cookie: sid }, endpoints: [127.0.0.1:1] }
                """, "r.yaml");
        assertEquals(Optional.of(HashKeySpec.clientIp()), doc.upstreams().get(0).hashKey());
        assertEquals(Optional.of(HashKeySpec.cookie("sid")), doc.upstreams().get(1).hashKey());
    }

    // ---- errors: each names the field, the line and the reason

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> RoutesParser.parse(yaml, "routes.yaml"));
    }

    private static void assertError(String yaml, String field, int line, String reasonPart) {
        ConfigException e = error(yaml);
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(line, e.line().orElse(-1), e.getMessage());
        assertTrue(e.reason().contains(reasonPart), "reason '" + e.reason() + "' should contain '" + reasonPart + "'");
        assertEquals("routes.yaml", e.source());
        assertTrue(e.getMessage().startsWith("routes.yaml:" + line + ": " + (field.isEmpty() ? "" : field + ": ")),
                e.getMessage());
    }

    private static final String UP = """
            upstreams:
              - name: demo
                endpoints: [127.0.0.1:9001]
            routes:
            """;

    @Test
    void emptyOrNonMappingDocuments() {
        ConfigException empty = error("");
        assertEquals("file is empty", empty.reason());
        assertEquals("", empty.field());
        assertTrue(empty.line().isEmpty());
        assertEquals("file is empty", error("# only a comment\n").reason());
        assertError("- a\n- b\n", "", 1, "must be a mapping");
        assertError("just text\n", "", 1, "must be a mapping");
    }

    @Test
    void invalidYamlReportsSnakeyamlLine() {
        ConfigException e = error("routes:\n  - id: a\n    upstream: [x\n");
        assertTrue(e.reason().startsWith("invalid YAML"), e.reason());
        assertTrue(e.line().isPresent());
        assertError("version: 1\nroutes:\n  - id: a\n   upstream: b\n", "", 4, "invalid YAML");
    }

    @Test
    void unknownKeys() {
        assertError("version: x\nroute: []\n", "route", 2, "unknown key");
        assertError(UP + "  - id: a\n    upstream: demo\n    match: { path: /a, pathPrefix: /b }\n",
                "routes[0].match.pathPrefix", 7, "unknown key (allowed: hosts, path, path-prefix, methods, headers, query)");
        assertError("upstreams:\n  - name: a\n    endpoints: [127.0.0.1:1]\n    weight: 2\n",
                "upstreams[0].weight", 4, "unknown key");
    }

    @Test
    void duplicateKeys() {
        assertError(UP + "  - id: a\n    id: b\n    upstream: demo\n", "routes[0].id", 6, "duplicate key");
    }

    @Test
    void missingRequiredFields() {
        assertError(UP + "  - upstream: demo\n", "routes[0].id", 5, "is required");
        assertError(UP + "  - id: a\n", "routes[0].upstream", 5, "is required");
        assertError(UP + "  - id: a\n    upstream:\n", "routes[0].upstream", 6, "is required");
        assertError("upstreams:\n  - endpoints: [127.0.0.1:1]\n", "upstreams[0].name", 2, "is required");
        assertError("upstreams:\n  - name: a\n", "upstreams[0].endpoints", 2, "is required");
        assertError("upstreams:\n  - name: a\n    endpoints: []\n", "upstreams[0].endpoints", 3, "at least one");
    }

    @Test
    void wrongTypes() {
        assertError("routes: {a: 1}\n", "routes", 1, "must be a list");
        assertError(UP + "  - id: a\n    upstream: demo\n    match: { hosts: example.com }\n",
                "routes[0].match.hosts", 7, "must be a list");
        assertError(UP + "  - id: [a]\n    upstream: demo\n", "routes[0].id", 5, "must be a string");
        assertError(UP + "  - id: a\n    upstream: demo\n    match: { headers: [{name: X, present: maybe}] }\n",
                "routes[0].match.headers[0].present", 7, "must be true or false");
        assertError("upstreams:\n  - name: a\n    endpoints: [{address: 127.0.0.1:1, weight: heavy}]\n",
                "upstreams[0].endpoints[0].weight", 3, "must be an integer");
    }

    @Test
    void duplicateIdsAndNames() {
        assertError(UP + "  - id: a\n    upstream: demo\n  - id: a\n    upstream: demo\n",
                "routes[1].id", 7, "duplicate route id 'a' (first at line 5)");
        assertError("upstreams:\n  - name: a\n    endpoints: [127.0.0.1:1]\n  - name: a\n    endpoints: [127.0.0.1:2]\n",
                "upstreams[1].name", 4, "duplicate upstream name 'a'");
        assertError("upstreams:\n  - name: a\n    endpoints: [127.0.0.1:1, 127.0.0.1:1]\n",
                "upstreams[0].endpoints[1]", 3, "duplicate endpoint 127.0.0.1:1");
    }

    @Test
    void badRegexIncludesTheRegexError() {
        ConfigException e = error(UP + "  - id: a\n    upstream: demo\n    match:\n      headers:\n"
                + "        - { name: User-Agent, regex: \"curl/(.*\" }\n");
        assertEquals("routes[0].match.headers[0].regex", e.field());
        assertEquals(9, e.line().orElse(-1));
        assertTrue(e.reason().contains("invalid regex 'curl/(.*'") && e.reason().contains("Unclosed group"), e.reason());
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      query:\n        - { name: v, regex: \"[\" }\n",
                "routes[0].match.query[0].regex", 9, "invalid regex");
    }

    @Test
    void conditionNeedsExactlyOneForm() {
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      headers:\n        - { name: X, equals: a, regex: b }\n",
                "routes[0].match.headers[0]", 9, "exactly one of equals, regex, present");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      headers:\n        - { name: X }\n",
                "routes[0].match.headers[0]", 9, "exactly one of");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      headers:\n        - { name: \"X Y\", equals: a }\n",
                "routes[0].match.headers[0].name", 9, "not a valid header name");
    }

    @Test
    void pathErrors() {
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      path: /a\n      path-prefix: /b\n",
                "routes[0].match.path-prefix", 9, "only one of path and path-prefix");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      path: users\n",
                "routes[0].match.path", 8, "must start with '/'");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      path-prefix: users\n",
                "routes[0].match.path-prefix", 8, "must start with '/'");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      path: /users/{id\n",
                "routes[0].match.path", 8, "bad template segment '{id'");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      path: /{rest...}/x\n",
                "routes[0].match.path", 8, "must be the last segment");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      hosts: [\"api.example.com:443\"]\n",
                "routes[0].match.hosts[0]", 8, "not a host name");
        assertError(UP + "  - id: a\n    upstream: demo\n    match:\n      methods: [\"GE T\"]\n",
                "routes[0].match.methods[0]", 8, "not a valid method");
    }

    @Test
    void rewriteWithoutTheMatchItNeeds() {
        assertError(UP + "  - id: a\n    upstream: demo\n    match: { path: /a }\n    rewrite: { strip-prefix: true }\n",
                "routes[0].rewrite.strip-prefix", 8, "needs match.path-prefix");
        assertError(UP + "  - id: a\n    upstream: demo\n    rewrite:\n      replace-prefix: /v2\n",
                "routes[0].rewrite.replace-prefix", 8, "needs match.path-prefix");
        assertError(UP + "  - id: a\n    upstream: demo\n    match: { path-prefix: /a }\n    rewrite: { path: \"/x/{id}\" }\n",
                "routes[0].rewrite.path", 8, "needs a match.path template");
        assertError(UP + "  - id: a\n    upstream: demo\n    match: { path: \"/u/{id}\" }\n    rewrite:\n      path: /x/{uid}\n",
                "routes[0].rewrite.path", 9, "uses {uid}, which match.path does not define (defined: id)");
        assertError(UP + "  - id: a\n    upstream: demo\n    match: { path-prefix: /a }\n"
                        + "    rewrite: { strip-prefix: true, replace-prefix: /b }\n",
                "routes[0].rewrite", 8, "at most one of");
    }

    @Test
    void loadBalancerErrors() {
        assertError("upstreams:\n  - name: a\n    load-balancer: random\n    endpoints: [127.0.0.1:1]\n",
                "upstreams[0].load-balancer", 3,
                "unknown load-balancer 'random' (valid: round-robin, least-request, consistent-hash, peak-ewma)");
        assertError("upstreams:\n  - name: a\n    load-balancer: consistent-hash\n    endpoints: [127.0.0.1:1]\n",
                "upstreams[0].hash-key", 2, "is required with load-balancer: consistent-hash");
        assertError("upstreams:\n  - name: a\n    hash-key: { header: X }\n    endpoints: [127.0.0.1:1]\n",
                "upstreams[0].hash-key", 3, "only valid with load-balancer: consistent-hash");
        assertError("upstreams:\n  - name: a\n    load-balancer: consistent-hash\n    hash-key: { header: X, cookie: c }\n"
                + "    endpoints: [127.0.0.1:1]\n", "upstreams[0].hash-key", 4, "exactly one of header");
        assertError("upstreams:\n  - name: a\n    load-balancer: consistent-hash\n    hash-key: { client-ip: false }\n"
                + "    endpoints: [127.0.0.1:1]\n", "upstreams[0].hash-key.client-ip", 4, "must be true");
        assertError("upstreams:\n  - name: a\n    load-balancer: least-request\n    peak-ewma: { decay-time: 5s }\n"
                + "    endpoints: [127.0.0.1:1]\n", "upstreams[0].peak-ewma", 4, "only valid with load-balancer: peak-ewma");
        assertError("upstreams:\n  - name: a\n    load-balancer: peak-ewma\n    peak-ewma: { decay-time: 1ms }\n"
                + "    endpoints: [127.0.0.1:1]\n", "upstreams[0].peak-ewma.decay-time", 4,
                "must be between 10ms and 10m, got 1ms");
        assertError("upstreams:\n  - name: a\n    load-balancer: peak-ewma\n    peak-ewma:\n      decay-time: soon\n"
                + "    endpoints: [127.0.0.1:1]\n", "upstreams[0].peak-ewma.decay-time", 5, "'soon'");
        assertError("upstreams:\n  - name: a\n    load-balancer: peak-ewma\n    peak-ewma: { tau: 5s }\n"
                + "    endpoints: [127.0.0.1:1]\n", "upstreams[0].peak-ewma.tau", 4, "unknown key");
    }

    @Test
    void peakEwmaBalancer() throws ConfigException {
        RoutesDocument doc = RoutesParser.parse("""
                upstreams:
                  - { name: a, load-balancer: peak-ewma, endpoints: [127.0.0.1:1] }
                  - { name: b, load-balancer: peak-ewma, peak-ewma: { decay-time: 2s }, endpoints: [127.0.0.1:1] }
                """, "r.yaml");
        assertEquals(LoadBalancerKind.PEAK_EWMA, doc.upstreams().get(0).loadBalancer());
        assertEquals(PeakEwmaSettings.DEFAULTS, doc.upstreams().get(0).peakEwma());
        assertEquals(Duration.ofSeconds(10), doc.upstreams().get(0).peakEwma().decayTime());
        assertEquals(new PeakEwmaSettings(Duration.ofSeconds(2)), doc.upstreams().get(1).peakEwma());
    }

    @Test
    void endpointAndNameErrors() {
        assertError("upstreams:\n  - name: Demo\n    endpoints: [127.0.0.1:1]\n", "upstreams[0].name", 2, "not a valid name");
        assertError("upstreams:\n  - name: a\n    endpoints: [127.0.0.1]\n",
                "upstreams[0].endpoints[0]", 3, "address must be host:port");
        assertError("upstreams:\n  - name: a\n    endpoints:\n      - 127.0.0.1:70000\n",
                "upstreams[0].endpoints[0]", 4, "port must be 1..65535");
        assertError("upstreams:\n  - name: a\n    endpoints:\n      - { address: 127.0.0.1:1, weight: 0 }\n",
                "upstreams[0].endpoints[0].weight", 4, "must be 1..1000, got 0");
        assertError("upstreams:\n  - name: a\n    endpoints:\n      - { address: 127.0.0.1:1, weight: 1001 }\n",
                "upstreams[0].endpoints[0].weight", 4, "must be 1..1000");
        assertError("upstreams:\n  - name: a\n    endpoints:\n      - { weight: 2 }\n",
                "upstreams[0].endpoints[0].address", 4, "is required");
    }

    @Test
    void unknownUpstream() {
        assertError(UP + "  - id: a\n    upstream: nope\n", "routes[0].upstream", 6, "unknown upstream 'nope' (defined: demo)");
        assertError("routes:\n  - id: a\n    upstream: x\n", "routes[0].upstream", 3, "unknown upstream 'x'");
    }

    @Test
    void headerOpsErrors() {
        assertError(UP + "  - id: a\n    upstream: demo\n    request-headers:\n      set: { Connection: close }\n",
                "routes[0].request-headers.set.Connection", 8, "cannot be changed by a route");
        for (String h : List.of("Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Authorization",
                "Host", "content-length")) {
            assertError(UP + "  - id: a\n    upstream: demo\n    response-headers:\n      add: { " + h + ": x }\n",
                    "routes[0].response-headers.add." + h, 8, "cannot be changed by a route");
        }
        assertError(UP + "  - id: a\n    upstream: demo\n    request-headers:\n      remove: [X-A, Upgrade]\n",
                "routes[0].request-headers.remove[1]", 8, "cannot be changed");
        assertError(UP + "  - id: a\n    upstream: demo\n    request-headers:\n      set: { \"X A\": x }\n",
                "routes[0].request-headers.set.X A", 8, "not a valid header name");
        assertError(UP + "  - id: a\n    upstream: demo\n    request-headers:\n      set: { X-A: \"a\\r\\nX-B: b\" }\n",
                "routes[0].request-headers.set.X-A", 8, "must not contain CR, LF");
        assertError(UP + "  - id: a\n    upstream: demo\n    request-headers:\n      set: { X-A: 1, x-a: 2 }\n",
                "routes[0].request-headers.set.x-a", 8, "header given twice");
        assertError(UP + "  - id: a\n    upstream: demo\n    request-headers:\n      replace: { X-A: 1 }\n",
                "routes[0].request-headers.replace", 8, "unknown key");
    }
}
