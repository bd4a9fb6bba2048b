package dev.loomgate.gateway.trace;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code tracing:} block of the node config (docs/OBSERVABILITY.md, "Traces").
 *
 * @param endpoint      the OTLP/HTTP (protobuf) traces URL, e.g. {@code http://127.0.0.1:4318/v1/traces}
 * @param sampleRatio   the share of root requests (no incoming {@code traceparent}) that are traced; a request
 *                      with a parent follows the parent's sampled flag
 * @param serviceName   the {@code service.name} resource attribute
 * @param maxQueueSize  ended spans waiting for export; a span that finds the queue full is dropped (counted)
 * @param exportTimeout how long one batch export may take before it counts as failed
 */
public record TracingSettings(URI endpoint, double sampleRatio, String serviceName, int maxQueueSize,
                              Duration exportTimeout) {
    public static final double DEFAULT_SAMPLE_RATIO = 0.1;
    public static final String DEFAULT_SERVICE_NAME = "loomgate";
    public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;
    public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(2);

    public TracingSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(serviceName, "serviceName");
        Objects.requireNonNull(exportTimeout, "exportTimeout");
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("sample-ratio must be within 0..1, was " + sampleRatio);
        }
        if (maxQueueSize < 1) {
            throw new IllegalArgumentException("max-queue-size must be at least 1, was " + maxQueueSize);
        }
        if (exportTimeout.isNegative() || exportTimeout.isZero()) {
            throw new IllegalArgumentException("export-timeout must be positive");
        }
    }

    public static Builder builder(URI endpoint) {
        return new Builder(endpoint);
    }

    public Builder toBuilder() {
        return new Builder(endpoint).sampleRatio(sampleRatio).serviceName(serviceName).maxQueueSize(maxQueueSize)
                .exportTimeout(exportTimeout);
    }

    /** Defaults for everything but the endpoint. */
    public static final class Builder {
        private URI endpoint;
        private double sampleRatio = DEFAULT_SAMPLE_RATIO;
        private String serviceName = DEFAULT_SERVICE_NAME;
        private int maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
        private Duration exportTimeout = DEFAULT_EXPORT_TIMEOUT;

        private Builder(URI endpoint) {
            this.endpoint = endpoint;
        }

        public Builder endpoint(URI v) {
            endpoint = v;
            return this;
        }

        public Builder sampleRatio(double v) {
            sampleRatio = v;
            return this;
        }

        public Builder serviceName(String v) {
            serviceName = v;
            return this;
        }

        public Builder maxQueueSize(int v) {
            maxQueueSize = v;
            return this;
        }

        public Builder exportTimeout(Duration v) {
            exportTimeout = v;
            return this;
        }

        public TracingSettings build() {
            return new TracingSettings(endpoint, sampleRatio, serviceName, maxQueueSize, exportTimeout);
        }
    }
}
