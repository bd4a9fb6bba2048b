package dev.loomgate.gateway.trace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Ended spans wait here for export: a bounded queue that a request thread only ever offers to (a full queue drops
 * the span and counts it; nothing waits), drained by one exporter thread in batches. Used instead of the SDK's
 * BatchSpanProcessor because the node must count what it drops and fails to export in its own /metrics
 * ({@code loomgate_trace_spans_total}), and the SDK only reports those through an OpenTelemetry MeterProvider.
 *
 * <p>A failed export means the collector is down (or refuses, or is too slow): the queue is emptied (the spans
 * are counted as dropped) and the node stops making spans for a back-off period ({@link #accepting()} is false),
 * 1 s doubling to 30 s while failures go on; after it, the next batch is the probe. So a dead collector costs
 * neither span objects nor protobuf encoding per request, only one failed batch per back-off period.
 */
final class SpanQueue implements SpanProcessor {
    private static final Logger LOG = Logger.getLogger(SpanQueue.class.getName());
    static final int MAX_BATCH = 512;
    /** How long the exporter thread waits for a first span before looking again (and for shutdown). */
    private static final long POLL_MILLIS = 200;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final ArrayBlockingQueue<ReadableSpan> queue;
    private final SpanExporter exporter;
    private final long exportTimeoutMillis;
    private final LongAdder exported = new LongAdder();
    private final LongAdder droppedQueueFull = new LongAdder();
    private final LongAdder droppedExportFailed = new LongAdder();
    private final Thread worker;
    private volatile boolean running = true;
    /** False while the collector is known down: no spans are made until the back-off ends. */
    private volatile boolean accepting = true;
    private Duration backoff = FIRST_BACKOFF;

    SpanQueue(SpanExporter exporter, int maxQueueSize, long exportTimeoutMillis) {
        this.queue = new ArrayBlockingQueue<>(maxQueueSize);
        this.exporter = exporter;
        this.exportTimeoutMillis = exportTimeoutMillis;
        this.worker = Thread.ofVirtual().name("trace-exporter").start(this::run);
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (!accepting) {
            droppedExportFailed.increment(); // started just before the collector was found down
        } else if (!queue.offer(span)) {
            droppedQueueFull.increment();
        }
    }

    /** Whether spans are wanted now: false while the collector is down (back-off). */
    boolean accepting() {
        return accepting;
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    private void run() {
        List<ReadableSpan> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                ReadableSpan first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                export(batch);
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException e) {
                droppedExportFailed.add(batch.size());
                LOG.log(Level.FINE, "span export failed", e);
            }
            batch.clear();
        }
    }

    private void export(List<ReadableSpan> batch) {
        List<SpanData> data = new ArrayList<>(batch.size());
        for (ReadableSpan s : batch) {
            data.add(s.toSpanData());
        }
        CompletableResultCode result = exporter.export(data).join(exportTimeoutMillis, TimeUnit.MILLISECONDS);
        if (result.isSuccess()) {
            exported.add(data.size());
            backoff = FIRST_BACKOFF;
        } else {
            droppedExportFailed.add(data.size());
            collectorDown();
        }
    }

    /** Drops what is queued, stops span making for the back-off, then lets the next batch probe the collector. */
    private void collectorDown() {
        accepting = false;
        List<ReadableSpan> stale = new ArrayList<>();
        queue.drainTo(stale);
        droppedExportFailed.add(stale.size());
        LOG.fine(() -> "trace collector unreachable; no spans for " + backoff.toMillis() + " ms");
        long until = System.nanoTime() + backoff.toNanos();
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        try {
            while (running && System.nanoTime() < until) {
                Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            running = false;
        }
        accepting = true;
    }

    long exported() {
        return exported.sum();
    }

    long droppedQueueFull() {
        return droppedQueueFull.sum();
    }

    long droppedExportFailed() {
        return droppedExportFailed.sum();
    }

    int queued() {
        return queue.size();
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    /** Lets the worker export what is queued, for at most twice the export timeout, then stops the exporter. */
    @Override
    public CompletableResultCode shutdown() {
        running = false;
        try {
            if (!worker.join(Duration.ofMillis(2 * exportTimeoutMillis + POLL_MILLIS))) {
                worker.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exporter.shutdown();
    }
}
