package dev.loomgate.gateway.policy.cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.cache.CachedResponse.Header;
import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.pipeline.ResponseWriter;

/**
 * What the terminal step writes while the cache filter has diverted the response: it records the head, lets the
 * filter decide at commit time (forward to the client, or not: a stale-if-error answer or a background refresh),
 * streams the body on to the client and keeps a copy of at most {@code maxCapture} bytes. A larger body is simply
 * not kept: memory per request is bounded whatever the upstream sends.
 */
final class CaptureWriter implements ResponseWriter {
    /** The filter's decision when the head is committed. */
    record Plan(boolean forward, boolean capture, String xCache) {
    }

    interface Planner {
        Plan plan(int status, List<Header> headers);
    }

    /** A completely received response. */
    record Captured(int status, List<Header> headers, byte[] body) {
    }

    private final Optional<ResponseWriter> client;
    private final long maxCapture;
    private final Planner planner;
    private final java.util.function.Consumer<Captured> onComplete;
    private final List<Header> headers = new ArrayList<>();
    private int status = 200;
    private String reason = "";
    private long contentLength = -1;
    private boolean committed;
    private Plan plan = new Plan(false, false, "");
    private ByteArrayOutputStream copy;
    private boolean overflow;
    private boolean complete;

    /**
     * @param onComplete gets the captured response before the client gets its last bytes, so that once a client has
     *                   the whole response, the store has it too (a request that follows on any node finds it)
     */
    CaptureWriter(Optional<ResponseWriter> client, long maxCapture, Planner planner,
                  java.util.function.Consumer<Captured> onComplete) {
        this.client = client;
        this.maxCapture = maxCapture;
        this.planner = planner;
        this.onComplete = onComplete;
    }

    private void completed() {
        complete = true;
        captured().ifPresent(onComplete);
    }

    /** The response, when it was received completely, the plan said capture and it fit. */
    Optional<Captured> captured() {
        if (!complete || !plan.capture() || overflow) {
            return Optional.empty();
        }
        return Optional.of(new Captured(status, List.copyOf(headers), copy == null ? new byte[0] : copy.toByteArray()));
    }

    boolean overflowed() {
        return overflow;
    }

    int status() {
        return status;
    }

    @Override
    public void status(int code, String reason) {
        this.status = code;
        this.reason = reason;
    }

    @Override
    public void status(int code) {
        status(code, "");
    }

    @Override
    public MutableHeaders headers() {
        return new MutableHeaders() {
            @Override
            public void set(String name, String value) {
                remove(name);
                add(name, value);
            }

            @Override
            public void add(String name, String value) {
                headers.add(new Header(name, value));
            }

            @Override
            public void remove(String name) {
                headers.removeIf(h -> h.name().equalsIgnoreCase(name));
            }
        };
    }

    @Override
    public void contentLength(long length) {
        this.contentLength = length;
    }

    private Optional<ResponseWriter> commit() {
        if (committed) {
            throw new IllegalStateException("the response head has already been sent");
        }
        committed = true;
        plan = planner.plan(status, List.copyOf(headers));
        if (plan.capture() && contentLength > maxCapture) {
            overflow = true;
        }
        if (!plan.forward() || client.isEmpty()) {
            return Optional.empty();
        }
        ResponseWriter out = client.get();
        if (reason.isEmpty()) {
            out.status(status);
        } else {
            out.status(status, reason);
        }
        MutableHeaders h = out.headers();
        for (Header header : headers) {
            h.add(header.name(), header.value());
        }
        h.set("X-Cache", plan.xCache());
        if (contentLength >= 0) {
            out.contentLength(contentLength);
        }
        return Optional.of(out);
    }

    @Override
    public void send() {
        Optional<ResponseWriter> out = commit();
        completed();
        out.ifPresent(ResponseWriter::send);
    }

    @Override
    public void send(byte[] body) {
        Optional<ResponseWriter> out = commit();
        keep(body, 0, body.length);
        completed();
        out.ifPresent(o -> o.send(body));
    }

    @Override
    public OutputStream outputStream() {
        Optional<OutputStream> out = commit().map(ResponseWriter::outputStream);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                keep(b, off, len);
                if (out.isPresent()) {
                    out.get().write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                if (out.isPresent()) {
                    out.get().flush();
                }
            }

            @Override
            public void close() throws IOException {
                if (!complete) {
                    completed();
                }
                if (out.isPresent()) {
                    out.get().close();
                }
            }
        };
    }

    private void keep(byte[] b, int off, int len) {
        if (!plan.capture() || overflow) {
            return;
        }
        if (copy == null) {
            copy = new ByteArrayOutputStream((int) Math.min(Math.max(contentLength, 1024), maxCapture));
        }
        if (copy.size() + (long) len > maxCapture) {
            overflow = true;
            copy = null; // let the partial copy go now, not when the request ends
            return;
        }
        copy.write(b, off, len);
    }

    @Override
    public boolean committed() {
        return committed;
    }
}
