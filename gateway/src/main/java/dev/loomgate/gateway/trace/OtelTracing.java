package dev.loomgate.gateway.trace;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.loomgate.gateway.observe.PrometheusText;
import dev.loomgate.gateway.observe.TraceContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Tracing with the OpenTelemetry SDK, exporting OTLP/HTTP protobuf. The sampling decision for a root is taken here,
 * before any OpenTelemetry object exists (an unsampled request allocates no span); the SDK's sampler then only
 * follows the parent, which is always sampled when a span is started.
 */
final class OtelTracing implements Tracing {
    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final SpanQueue queue;
    private final double ratio;

    private OtelTracing(SdkTracerProvider provider, SpanQueue queue, double ratio) {
        this.provider = provider;
        this.tracer = provider.get("dev.loomgate.gateway");
        this.queue = queue;
        this.ratio = ratio;
    }

    static OtelTracing create(TracingSettings settings, String nodeId) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.endpoint().toString())
                .setTimeout(settings.exportTimeout())
                // a batch that fails is dropped and counted: retrying would only hold the queue back
                .setRetryPolicy(null)
                .build();
        SpanQueue queue = new SpanQueue(exporter, settings.maxQueueSize(), settings.exportTimeout().toMillis());
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), settings.serviceName(),
                AttributeKey.stringKey("service.instance.id"), nodeId,
                AttributeKey.stringKey("loomgate.node"), nodeId)));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                .addSpanProcessor(queue)
                .build();
        return new OtelTracing(provider, queue, settings.sampleRatio());
    }

    @Override
    public boolean enabled() {
        return true;
    }

    private boolean sampleRoot() {
        return ratio >= 1 || ratio > 0 && ThreadLocalRandom.current().nextDouble() < ratio;
    }

    @Override
    public RequestTrace startRequest(TraceContext incoming, String method, String path) {
        if (!queue.accepting()) {
            return RequestTrace.UNSAMPLED; // the collector is down: spans made now would only be dropped
        }
        Context parent;
        if (incoming.created()) {
            if (!sampleRoot()) {
                return RequestTrace.UNSAMPLED;
            }
            parent = Context.root();
        } else {
            String tp = incoming.traceparent();
            if ((Character.digit(tp.charAt(54), 16) & 1) == 0) {
                return RequestTrace.UNSAMPLED; // the caller did not sample: neither do we
            }
            parent = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(incoming.traceId(),
                    tp.substring(36, 52), TraceFlags.getSampled(), TraceState.getDefault())));
        }
        Span server = tracer.spanBuilder(method).setSpanKind(SpanKind.SERVER).setParent(parent)
                .setAttribute(SemConv.HTTP_METHOD, method)
                .setAttribute(SemConv.URL_PATH, path)
                .startSpan();
        return new SampledRequest(tracer, server, method);
    }

    @Override
    public TraceSpan startChild(String name, String system) {
        Span parent = Span.current();
        if (!parent.getSpanContext().isSampled()) {
            return TraceSpan.NONE;
        }
        return new OtelSpan(tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT)
                .setParent(Context.current())
                .setAttribute(SemConv.SYSTEM, system).startSpan());
    }

    @Override
    public TraceSpan startBackground(String name, String system) {
        if (!queue.accepting() || !sampleRoot()) {
            return TraceSpan.NONE;
        }
        return new OtelSpan(tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT).setNoParent()
                .setAttribute(SemConv.SYSTEM, system).startSpan());
    }

    @Override
    public void writeMetrics(PrometheusText p) {
        p.help("loomgate_trace_spans_total", "counter",
                "Ended spans by what became of them: exported, or dropped (see loomgate_trace_spans_dropped_total).");
        p.sample("loomgate_trace_spans_total", "result=\"exported\"", queue.exported());
        p.sample("loomgate_trace_spans_total", "result=\"dropped\"",
                queue.droppedQueueFull() + queue.droppedExportFailed());
        p.help("loomgate_trace_spans_dropped_total", "counter",
                "Spans dropped: the export queue was full (queue-full) or their batch export failed (export-failed).");
        p.sample("loomgate_trace_spans_dropped_total", "reason=\"queue-full\"", queue.droppedQueueFull());
        p.sample("loomgate_trace_spans_dropped_total", "reason=\"export-failed\"", queue.droppedExportFailed());
        p.help("loomgate_trace_spans_queued", "gauge", "Ended spans waiting for export.");
        p.sample("loomgate_trace_spans_queued", "", queue.queued());
        p.help("loomgate_trace_exporter_up", "gauge",
                "0 while the collector is taken as down after a failed export (no spans are made), else 1.");
        p.sample("loomgate_trace_exporter_up", "", queue.accepting() ? 1 : 0);
    }

    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
