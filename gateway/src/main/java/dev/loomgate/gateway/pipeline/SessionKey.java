package dev.loomgate.gateway.pipeline;

/**
 * The request's server-side session id, set by the {@code session} filter; the proxy hands it to consistent-hash
 * balancing ({@code hash-key: { session: true }}) so one session's requests reach one upstream endpoint.
 */
public final class SessionKey {
    public static final Attribute<String> ID = Attribute.create("session-id", String.class);

    private SessionKey() {
    }
}
