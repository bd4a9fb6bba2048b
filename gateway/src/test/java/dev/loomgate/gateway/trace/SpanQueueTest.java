package dev.loomgate.gateway.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.loomgate.testsupport.Await;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;

/** The export queue: bounded, never blocking the thread that ends a span, every lost span counted. */
class SpanQueueTest {
    /** An exporter whose first export waits for {@link #release}, and that fails while {@link #failing} is set. */
    private static final class GatedExporter implements SpanExporter {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return failing.get() ? CompletableResultCode.ofFailure() : CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            release.countDown();
            return CompletableResultCode.ofSuccess();
        }
    }

    @Test
    void aFullQueueDropsAndCountsWithoutWaiting() throws Exception {
        GatedExporter exporter = new GatedExporter();
        SpanQueue queue = new SpanQueue(exporter, 2, 5_000);
        try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(queue).build()) {
            Tracer tracer = provider.get("test");
            tracer.spanBuilder("first").startSpan().end();
            exporter.entered.await(); // the exporter thread holds "first" and is stuck in export
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
                for (int i = 0; i < 5; i++) {
                    tracer.spanBuilder("s" + i).startSpan().end();
                }
            });
            assertEquals(2, queue.queued());
            assertEquals(3, queue.droppedQueueFull());
            exporter.release.countDown();
            Await.until("all kept spans exported", () -> queue.exported() == 3);
            assertEquals(0, queue.droppedExportFailed());
        }
    }

    @Test
    void aFailedExportStopsSpanMakingForABackOffThenProbesAgain() throws Exception {
        GatedExporter exporter = new GatedExporter();
        exporter.failing.set(true);
        SpanQueue queue = new SpanQueue(exporter, 8, 5_000);
        try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(queue).build()) {
            Tracer tracer = provider.get("test");
            tracer.spanBuilder("first").startSpan().end();
            exporter.entered.await();
            tracer.spanBuilder("queued").startSpan().end();
            exporter.release.countDown();
            Await.until("the failed batch and the queued span counted", () -> queue.droppedExportFailed() == 2);
            assertFalse(queue.accepting(), "no spans wanted right after a failed export");
            exporter.failing.set(false);
            Await.until("the back-off ends", Duration.ofSeconds(5), queue::accepting);
            tracer.spanBuilder("probe").startSpan().end();
            Await.until("the probe exported", () -> queue.exported() == 1);
        }
    }
}
