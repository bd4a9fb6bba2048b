package dev.loomgate.gateway.pipeline;

/**
 * One step of a route's request pipeline. A filter must either call {@link FilterChain#proceed()} exactly once
 * or answer the request itself ({@link Exchange#answer}, {@link Exchange#response()}); a filter that does
 * neither fails the request with a 500, so a forgotten branch is loud, never a hang or an empty reply.
 *
 * <p>Filters are created once per routes version ({@link FilterFactory#create}) and shared by all requests of
 * the route: they must be thread-safe and keep per-request state in the exchange.
 */
@FunctionalInterface
public interface Filter {
    void filter(Exchange exchange, FilterChain chain);
}
