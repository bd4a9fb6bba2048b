package dev.loomgate.gateway.call;

/**
 * One call to an upstream, up to the response head: all the tries of one request. Decorators
 * ({@link BulkheadCall}, {@link RetryingCall}) wrap it; each try goes through an
 * {@link EndpointCall} chain.
 */
@FunctionalInterface
public interface UpstreamCall {
    CallOutcome call(CallRequest request);
}
