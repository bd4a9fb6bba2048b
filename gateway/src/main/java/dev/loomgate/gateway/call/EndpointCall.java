package dev.loomgate.gateway.call;

/**
 * One try: one request to one endpoint, up to its response head. The innermost is
 * {@link EndpointExchange}; {@link MeteredCall}, {@link OutlierCall} and {@link BreakerCall}
 * decorate it. A decorator passes the outcome on unchanged, or answers {@link TryOutcome.NotSent}
 * without calling further.
 */
@FunctionalInterface
public interface EndpointCall {
    TryOutcome call(EndpointTry attempt);
}
