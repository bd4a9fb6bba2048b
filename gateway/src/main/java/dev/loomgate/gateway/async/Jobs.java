package dev.loomgate.gateway.async;

import dev.loomgate.gateway.pipeline.Attribute;

/** Names shared by the async parts and the proxy: the status URL's prefix and the access log's job id. */
public final class Jobs {
    /** Status URLs: {@code /jobs/{id}}, and {@code /jobs/{id}/result} for a finished job's stored response. */
    public static final String PATH_PREFIX = "/jobs/";
    public static final String RESULT_SUFFIX = "/result";
    /** The id of the job a request queued (202) or read; the access log records it. */
    public static final Attribute<String> JOB_ID = Attribute.create("async-job", String.class);

    private Jobs() {
    }
}
