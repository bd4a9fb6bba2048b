package dev.loomgate.gateway.trace;

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
 */
final class SpanQueue implements SpanProcessor {
    private static final Logger LOG = Logger.getLogger(SpanQueue.class.getName());
    static final int MAX_BATCH = 512;
    /** How long the exporter thread waits for a first span before looking again (and for shutdown). */
    private static final long POLL_MILLIS = 200;

    private final ArrayBlockingQueue<ReadableSpan> queue;
    private final SpanExporter exporter;
    private final long exportTimeoutMillis;
    private final LongAdder exported = new LongAdder();
    private final LongAdder droppedQueueFull = new LongAdder();
    private final LongAdder droppedExportFailed = new LongAdder();
    private final Thread worker;
    private volatile boolean running = true;

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
        if (!queue.offer(span)) {
            droppedQueueFull.increment();
        }
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
        } else {
            // a collector that is down or slow: the batch is lost (counted), the queue keeps taking spans
            droppedExportFailed.add(data.size());
        }
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
            if (!worker.join(java.time.Duration.ofMillis(2 * exportTimeoutMillis + POLL_MILLIS))) {
                worker.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exporter.shutdown();
    }
}
