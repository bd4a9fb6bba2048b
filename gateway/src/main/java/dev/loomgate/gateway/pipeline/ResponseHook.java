package dev.loomgate.gateway.pipeline;

/**
 * Runs once, just before a response head is sent (relayed or answered by the gateway): the place for
 * response header operations, CORS headers, session cookies and cache stores. Hooks run in the order they
 * were registered, i.e. in phase order, so the last phase (request transformation, where the route's
 * {@code response-headers} live) has the last word on what the client sees.
 */
@FunctionalInterface
public interface ResponseHook {
    void beforeHead(ResponseHead head);
}
