package dev.loomgate.gateway.observe;

import dev.loomgate.gateway.http.Json;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One JSON line per request. Request threads only enqueue; a single writer thread batches lines
 * to the sink, so a slow terminal or disk never stalls the data path. When the queue is full a
 * line is dropped and counted rather than blocking a request.
 */
public final class AccessLog implements AutoCloseable {
    /** One finished request. */
    public record Entry(long epochMillis, String nodeId, String routeId, String upstream, String endpoint,
                        String method, String path, int status, double durationMs, long bytesIn, long bytesOut,
                        String requestId, String clientIp, String traceId, String consumer, String jobId) {
        /** A request that is no asynchronous job (the usual case). */
        public Entry(long epochMillis, String nodeId, String routeId, String upstream, String endpoint, String method,
                     String path, int status, double durationMs, long bytesIn, long bytesOut, String requestId,
                     String clientIp, String traceId, String consumer) {
            this(epochMillis, nodeId, routeId, upstream, endpoint, method, path, status, durationMs, bytesIn, bytesOut,
                    requestId, clientIp, traceId, consumer, "");
        }
    }

    private static final Entry POISON = new Entry(0, "", "", "", "", "", "", 0, 0, 0, 0, "", "", "", "");
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(65_536);
    private final LongAdder dropped = new LongAdder();
    private final Writer writer;
    private final Thread thread;
    private final boolean enabled;

    private AccessLog(Writer writer, boolean enabled) {
        this.writer = writer;
        this.enabled = enabled;
        this.thread = enabled ? Thread.ofPlatform().daemon().name("loomgate-access-log").start(this::drain) : null;
    }

    /** {@code stdout}, {@code off}, or a file path (appended). */
    public static AccessLog open(String target) throws IOException {
        return switch (target) {
            case "off" -> new AccessLog(Writer.nullWriter(), false);
            case "stdout" -> new AccessLog(new BufferedWriter(new OutputStreamWriter(
                    new NonClosing(System.out), StandardCharsets.UTF_8), 64 * 1024), true);
            default -> new AccessLog(Files.newBufferedWriter(Path.of(target), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true);
        };
    }

    public void log(Entry e) {
        if (enabled && !queue.offer(e)) {
            dropped.increment();
        }
    }

    /** False when the log is off: callers can skip building entries. */
    public boolean enabled() {
        return enabled;
    }

    public long dropped() {
        return dropped.sum();
    }

    static String toJson(Entry e) {
        StringBuilder sb = new StringBuilder(320);
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(e.epochMillis())).append('"');
        field(sb, "node", e.nodeId());
        field(sb, "route", e.routeId());
        field(sb, "upstream", e.upstream());
        field(sb, "endpoint", e.endpoint());
        field(sb, "method", e.method());
        field(sb, "path", LogRedaction.path(e.path()));
        sb.append(",\"status\":").append(e.status());
        sb.append(",\"duration_ms\":").append(Math.round(e.durationMs() * 1000) / 1000.0);
        sb.append(",\"bytes_in\":").append(e.bytesIn());
        sb.append(",\"bytes_out\":").append(e.bytesOut());
        field(sb, "request_id", e.requestId());
        field(sb, "client", e.clientIp());
        field(sb, "trace_id", e.traceId());
        if (!e.consumer().isEmpty()) {
            field(sb, "consumer", e.consumer()); // the authenticated consumer's name, never its credential
        }
        if (!e.jobId().isEmpty()) {
            field(sb, "job_id", e.jobId()); // the 202 that queued a job and the worker's later upstream call
        }
        return sb.append('}').toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":\"");
        Json.escapeInto(sb, value);
        sb.append('"');
    }

    private void drain() {
        try {
            while (true) {
                Entry e = queue.take();
                if (e == POISON) {
                    break;
                }
                writer.write(toJson(e));
                writer.write('\n');
                Entry next;
                while ((next = queue.poll()) != null && next != POISON) {
                    writer.write(toJson(next));
                    writer.write('\n');
                }
                writer.flush();
                if (next == POISON) {
                    break;
                }
            }
            writer.flush();
        } catch (InterruptedException ignored) {
            // closing
        } catch (IOException e) {
            System.err.println("loomgate: access log writer failed: " + e);
        }
    }

    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        try {
            queue.offer(POISON, 1, TimeUnit.SECONDS);
            thread.join(2000);
            writer.flush();
        } catch (InterruptedException | IOException ignored) {
            // best effort at shutdown
        }
    }

    /** Keeps System.out open when the log is closed. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
