package dev.loomgate.gateway.pipeline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.testing.RecordingHeaders;

/**
 * An in-memory exchange for testing the chain's own rules (order, contract, hooks) without a network; policies
 * are tested end to end through a real gateway.
 */
final class RecordingExchange implements Exchange {
    final RecordingHeaders upstream = new RecordingHeaders();
    final RecordingHeaders responseHeaders = new RecordingHeaders();
    final List<String> events = new ArrayList<>();
    private final RequestView request;
    private final RouteMatch match;
    private final Map<Attribute<?>, Object> attributes = new IdentityHashMap<>();
    private final List<ResponseHook> hooks = new ArrayList<>();
    private String upstreamPath;
    int status;
    boolean committed;
    boolean committedFromUpstream;

    RecordingExchange(RequestView request, RouteMatch match) {
        this.request = request;
        this.match = match;
        this.upstreamPath = match.path();
    }

    @Override
    public RequestView request() {
        return request;
    }

    @Override
    public RouteMatch match() {
        return match;
    }

    @Override
    public String requestId() {
        return "test-request";
    }

    @Override
    public String upstreamPath() {
        return upstreamPath;
    }

    @Override
    public void upstreamPath(String path) {
        upstreamPath = path;
    }

    @Override
    public MutableHeaders upstreamHeaders() {
        return upstream;
    }

    @Override
    public <T> Optional<T> attribute(Attribute<T> key) {
        return Optional.ofNullable(attributes.get(key)).map(key::cast);
    }

    @Override
    public <T> void attribute(Attribute<T> key, T value) {
        attributes.put(key, key.cast(value));
    }

    @Override
    public void onResponseHead(ResponseHook hook) {
        hooks.add(hook);
    }

    @Override
    public void answer(Problem problem) {
        status = problem.status();
        commit(false);
    }

    /** What a terminal step relaying an upstream response does. */
    void relay(int upstreamStatus) {
        status = upstreamStatus;
        commit(true);
    }

    private void commit(boolean fromUpstream) {
        if (committed) {
            throw new IllegalStateException("committed twice");
        }
        committed = true;
        committedFromUpstream = fromUpstream;
        ResponseHead head = new ResponseHead() {
            @Override
            public int status() {
                return status;
            }

            @Override
            public boolean fromUpstream() {
                return fromUpstream;
            }

            @Override
            public Optional<String> header(String name) {
                List<String> v = responseHeaders.values.get(name.toLowerCase(java.util.Locale.ROOT));
                return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
            }

            @Override
            public MutableHeaders headers() {
                return responseHeaders;
            }
        };
        for (ResponseHook h : hooks) {
            h.beforeHead(head);
        }
    }

    @Override
    public ResponseWriter response() {
        return new ResponseWriter() {
            @Override
            public void status(int code, String reason) {
                status = code;
            }

            @Override
            public void status(int code) {
                status = code;
            }

            @Override
            public MutableHeaders headers() {
                return responseHeaders;
            }

            @Override
            public void contentLength(long length) {
            }

            @Override
            public void send() {
                commit(false);
            }

            @Override
            public void send(byte[] body) {
                commit(false);
            }

            @Override
            public OutputStream outputStream() {
                commit(false);
                return new ByteArrayOutputStream();
            }

            @Override
            public boolean committed() {
                return committed;
            }
        };
    }

    @Override
    public ClientBody body() {
        return new ClientBody() {
            @Override
            public boolean present() {
                return false;
            }

            @Override
            public OptionalLong length() {
                return OptionalLong.of(0);
            }

            @Override
            public InputStream stream() {
                return new ByteArrayInputStream(new byte[0]);
            }
        };
    }
}
