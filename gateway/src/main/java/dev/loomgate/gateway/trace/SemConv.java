package dev.loomgate.gateway.trace;

import io.opentelemetry.api.common.AttributeKey;

/** The attribute keys we set: OpenTelemetry HTTP semantic conventions, and ours under {@code loomgate.}. */
final class SemConv {
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("loomgate.system");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("loomgate.route");
    static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("loomgate.upstream");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("loomgate.attempt");

    private SemConv() {
    }
}
