package dev.loomgate.gateway.consul;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.loomgate.gateway.trace.TraceSpan;
import dev.loomgate.gateway.trace.Tracing;

import javax.net.ssl.SSLContext;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The part of the Consul HTTP API Loomgate uses (see contracts/consul-api/SPEC.md in this repository), over the
 * JDK {@link HttpClient} (HTTP/1.1, blocking calls on the caller's virtual thread).
 *
 * <p>Rules it follows: token in {@code X-Consul-Token} (G-2); error bodies are plain text, never
 * parsed (G-4); headers read case-insensitively (G-8); indexes and flags are uint64 (G-10);
 * {@code null} tolerated in nested fields (G-11); every path segment percent-encoded (G-13);
 * blocking reads time out after {@code wait * 17/16} plus a margin (BQ-4). When an agent cannot be
 * reached, or answers 5xx/429, the next address is tried; the one that last answered is tried
 * first next time.
 */
public final class ConsulClient implements AutoCloseable {
    /** Largest reply read from an agent, in bytes: the ceiling of limits.max-config-size. */
    static final int MAX_REPLY = (int) dev.loomgate.gateway.yaml.ConfigSize.MAX_CONFIGURABLE;
    private static final Logger LOG = Logger.getLogger(ConsulClient.class.getName());
    private static final Duration BLOCKING_MARGIN = Duration.ofSeconds(5);

    private final ConsulSettings settings;
    private final HttpClient http;
    private final AtomicInteger preferred = new AtomicInteger();
    private final Tracing tracing;

    public ConsulClient(ConsulSettings settings) {
        this(settings, Tracing.off());
    }

    /** @param tracing reads (KV, health) become spans, sampled as roots: they run off the request path */
    public ConsulClient(ConsulSettings settings, Tracing tracing) {
        this.settings = settings;
        this.tracing = tracing;
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor());
        if (settings.caFile().isPresent()) {
            b.sslContext(sslContext(settings));
        }
        this.http = b.build();
    }

    public ConsulSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- KV

    /** {@code GET /v1/kv/<prefix>?recurse}; a 404 is an empty list with the store index (KV-5, KV-8). */
    public Indexed<List<KvEntry>> kvList(String prefix, long index, Duration wait)
            throws ConsulException, InterruptedException {
        Reply r = send("GET", "/v1/kv/" + encodePath(prefix), query("recurse", index, wait), null, wait(index, wait));
        if (r.status == 404) {
            return new Indexed<>(List.of(), r.index());
        }
        r.expect200();
        return new Indexed<>(ConsulJson.kvEntries(r.json()), r.index());
    }

    public Indexed<List<KvEntry>> kvList(String prefix) throws ConsulException, InterruptedException {
        return kvList(prefix, 0, Duration.ZERO);
    }

    /** {@code GET /v1/kv/<key>}; empty when the key does not exist (KV-3). */
    public Indexed<Optional<KvEntry>> kvGet(String key, long index, Duration wait)
            throws ConsulException, InterruptedException {
        Reply r = send("GET", "/v1/kv/" + encodePath(key), query(null, index, wait), null, wait(index, wait));
        if (r.status == 404) {
            return new Indexed<>(Optional.empty(), r.index());
        }
        r.expect200();
        List<KvEntry> entries = ConsulJson.kvEntries(r.json());
        return new Indexed<>(entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0)), r.index());
    }

    public Optional<KvEntry> kvGet(String key) throws ConsulException, InterruptedException {
        return kvGet(key, 0, Duration.ZERO).value();
    }

    /**
     * {@code PUT /v1/kv/<key>[?cas=N]&flags=F}. With {@code cas}: 0 = only if absent, N = only if
     * its ModifyIndex is N (KV-10).
     *
     * @return false when a CAS was refused
     */
    public boolean kvPut(String key, byte[] value, OptionalLong cas, long flags)
            throws ConsulException, InterruptedException {
        StringBuilder q = new StringBuilder("flags=").append(Long.toUnsignedString(flags));
        cas.ifPresent(c -> q.append("&cas=").append(Long.toUnsignedString(c)));
        Reply r = send("PUT", "/v1/kv/" + encodePath(key), q.toString(), value, settings.requestTimeout());
        r.expect200();
        return r.trueBody();
    }

    public boolean kvPut(String key, String value) throws ConsulException, InterruptedException {
        return kvPut(key, value.getBytes(StandardCharsets.UTF_8), OptionalLong.empty(), 0);
    }

    /** {@code DELETE /v1/kv/<key>[?cas=N]}; false when the CAS did not match (KV-14). */
    public boolean kvDelete(String key, OptionalLong cas) throws ConsulException, InterruptedException {
        String q = cas.isPresent() ? "cas=" + Long.toUnsignedString(cas.getAsLong()) : null;
        Reply r = send("DELETE", "/v1/kv/" + encodePath(key), q, null, settings.requestTimeout());
        r.expect200();
        return r.trueBody();
    }

    /** {@code DELETE /v1/kv/<prefix>?recurse}; refuses a prefix not ending in '/' (KV-1). */
    public void kvDeleteTree(String prefix) throws ConsulException, InterruptedException {
        if (prefix.isEmpty() || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must end with '/': '" + prefix + "'");
        }
        send("DELETE", "/v1/kv/" + encodePath(prefix), "recurse", null, settings.requestTimeout()).expect200();
    }

    // ---------------------------------------------------------------- health, agent, status

    /**
     * {@code GET /v1/health/service/<name>?passing=1&tag=..}: every instance, with Service.Address
     * falling back to Node.Address (H-1). Unknown service: an empty list.
     */
    public Indexed<List<ServiceInstance>> healthService(String service, List<String> tags, boolean passingOnly,
                                                        long index, Duration wait)
            throws ConsulException, InterruptedException {
        StringBuilder q = new StringBuilder();
        if (passingOnly) {
            q.append("passing=1");
        }
        for (String tag : tags) {
            q.append(q.isEmpty() ? "" : "&").append("tag=").append(encode(tag));
        }
        String blocking = query(null, index, wait);
        if (blocking != null) {
            q.append(q.isEmpty() ? "" : "&").append(blocking);
        }
        Reply r = send("GET", "/v1/health/service/" + encode(service), q.isEmpty() ? null : q.toString(), null,
                wait(index, wait));
        r.expect200();
        List<ServiceInstance> out = new ArrayList<>();
        for (JsonValue v : ConsulJson.array(r.json())) {
            out.add(ConsulJson.instance(v.asJsonObject()));
        }
        return new Indexed<>(List.copyOf(out), r.index());
    }

    /** {@code PUT /v1/agent/service/register}; 200 with an empty body (G-6). */
    public void register(ServiceRegistration reg) throws ConsulException, InterruptedException {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("ID", reg.id())
                .add("Name", reg.name())
                .add("Address", reg.address())
                .add("Port", reg.port())
                .add("Tags", Json.createArrayBuilder(reg.tags()));
        JsonObjectBuilder meta = Json.createObjectBuilder();
        reg.meta().forEach(meta::add);
        b.add("Meta", meta);
        reg.check().ifPresent(c -> b.add("Check", Json.createObjectBuilder()
                .add("CheckID", c.checkId())
                .add("Name", "Loomgate readiness")
                .add("HTTP", c.url())
                .add("Method", "GET")
                .add("Interval", goDuration(c.interval()))
                .add("Timeout", goDuration(c.timeout()))
                .add("DeregisterCriticalServiceAfter", goDuration(c.deregisterCriticalAfter()))));
        byte[] body = b.build().toString().getBytes(StandardCharsets.UTF_8);
        send("PUT", "/v1/agent/service/register", null, body, settings.requestTimeout()).expect200();
    }

    /** @return false when the agent did not know the service (404, SPEC A-10: already gone) */
    public boolean deregister(String serviceId) throws ConsulException, InterruptedException {
        Reply r = send("PUT", "/v1/agent/service/deregister/" + encode(serviceId), null, null,
                settings.requestTimeout());
        if (r.status == 404) {
            return false;
        }
        r.expect200();
        return true;
    }

    /** {@code GET /v1/status/leader}: the leader's address, empty when there is none (ST-1). */
    public Optional<String> leader() throws ConsulException, InterruptedException {
        Reply r = send("GET", "/v1/status/leader", null, null, settings.requestTimeout());
        r.expect200();
        JsonValue v = r.json();
        String s = v instanceof JsonString js ? js.getString() : "";
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    @Override
    public void close() {
        http.shutdownNow();
    }

    // ---------------------------------------------------------------- transport

    private record Reply(int status, String body, OptionalLong indexHeader, URI agent) {
        long index() {
            // BQ-6: never 0; an answer without the header counts as index 1
            long i = indexHeader.orElse(1);
            return i == 0 ? 1 : i;
        }

        void expect200() throws ConsulException {
            if (status != 200) {
                String text = body.strip();
                if (text.length() > 300) {
                    text = text.substring(0, 300) + "...";
                }
                throw new ConsulException(status, "Consul " + agent + " answered " + status
                        + (text.isEmpty() ? "" : ": " + text));
            }
        }

        JsonValue json() throws ConsulException {
            try (var reader = Json.createReader(new StringReader(body))) {
                return reader.readValue();
            } catch (RuntimeException e) {
                throw new ConsulException(status, "Consul " + agent + " sent a body that is not JSON: " + e.getMessage());
            }
        }

        boolean trueBody() {
            return "true".equals(body.strip());
        }
    }

    private Reply send(String method, String path, String query, byte[] body, Duration timeout)
            throws ConsulException, InterruptedException {
        if (!"GET".equals(method)) {
            return sendToAgents(method, path, query, body, timeout);
        }
        TraceSpan span = tracing.startBackground("consul GET " + readKind(path), "consul");
        if (!span.recording()) {
            return sendToAgents(method, path, query, body, timeout);
        }
        span.attribute("url.path", path);
        try {
            Reply reply = sendToAgents(method, path, query, body, timeout);
            span.attribute("server.address", reply.agent().getHost())
                    .attribute("http.response.status_code", Integer.toString(reply.status()));
            span.end();
            return reply;
        } catch (ConsulException | InterruptedException | RuntimeException e) {
            span.fail(e.getClass().getSimpleName());
            throw e;
        }
    }

    /** {@code /v1/kv}, {@code /v1/health/service}, ...: the span name, without keys or service names. */
    private static String readKind(String path) {
        int cut = path.startsWith("/v1/health/") ? path.indexOf('/', "/v1/health/".length()) : path.indexOf('/', 4);
        return cut < 0 ? path : path.substring(0, cut);
    }

    private Reply sendToAgents(String method, String path, String query, byte[] body, Duration timeout)
            throws ConsulException, InterruptedException {
        List<URI> agents = settings.addresses();
        int start = preferred.get();
        ConsulException last = null;
        for (int i = 0; i < agents.size(); i++) {
            int at = (start + i) % agents.size();
            URI agent = agents.get(at);
            URI uri = URI.create(agent + path + (query == null ? "" : "?" + query));
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            settings.token().ifPresent(t -> rb.header("X-Consul-Token", t));
            try {
                HttpResponse<InputStream> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
                String text;
                try (InputStream in = resp.body()) {
                    // bounded: a KV listing holds every routes value, each limited by the node (limits.max-config-size)
                    byte[] data = in.readNBytes(MAX_REPLY + 1);
                    if (data.length > MAX_REPLY) {
                        throw new ConsulException(resp.statusCode(), "Consul " + agent + " sent a reply larger than "
                                + MAX_REPLY + " bytes; refused");
                    }
                    text = new String(data, StandardCharsets.UTF_8);
                }
                OptionalLong index = indexHeader(resp);
                Reply reply = new Reply(resp.statusCode(), text, index, agent);
                if ((resp.statusCode() >= 500 || resp.statusCode() == 429) && i < agents.size() - 1) {
                    LOG.fine(() -> "Consul agent " + agent + " answered " + resp.statusCode() + "; trying the next");
                    last = new ConsulException(resp.statusCode(), "Consul " + agent + " answered " + resp.statusCode());
                    continue;
                }
                preferred.set(at);
                return reply;
            } catch (IOException e) {
                last = new ConsulException("Consul agent " + agent + " unreachable: " + e, e);
                LOG.log(Level.FINE, "Consul agent " + agent + " failed", e);
            }
        }
        throw last;
    }

    private static OptionalLong indexHeader(HttpResponse<?> resp) {
        Optional<String> h = resp.headers().firstValue("X-Consul-Index");
        if (h.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(h.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Duration wait(long index, Duration wait) {
        return index == 0 ? Duration.ofSeconds(10) : wait.plus(wait.dividedBy(16)).plus(BLOCKING_MARGIN);
    }

    /** The read timeout a blocking read with this wait gets: above wait*17/16 (SPEC BQ-4). */
    public static Duration blockingTimeout(Duration wait) {
        return wait(1, wait);
    }

    private static String query(String flag, long index, Duration wait) {
        StringBuilder q = new StringBuilder();
        if (flag != null) {
            q.append(flag);
        }
        if (index != 0) {
            q.append(q.isEmpty() ? "" : "&").append("index=").append(Long.toUnsignedString(index))
                    .append("&wait=").append(Math.max(1, wait.toMillis())).append("ms");
        }
        return q.isEmpty() ? null : q.toString();
    }

    /** Encodes each '/'-separated segment (G-13); '/' itself stays a separator. */
    static String encodePath(String key) {
        StringBuilder sb = new StringBuilder();
        String[] parts = key.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(encode(parts[i]));
        }
        return sb.toString();
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String goDuration(Duration d) {
        return Math.max(1, d.toMillis()) + "ms";
    }

    private static SSLContext sslContext(ConsulSettings settings) {
        return ConsulJson.sslContext(settings);
    }
}
