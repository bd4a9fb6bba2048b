package dev.loomgate.chaos.load;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Idle keep-alive connections (LIFO, so the warmest is reused) plus every open connection, so a stopped
 * run can close what is still on the wire.
 */
final class ConnectionPool implements AutoCloseable {
    private final ConcurrentLinkedDeque<HttpConnection> idle = new ConcurrentLinkedDeque<>();
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private final long maxIdleNanos;
    private final int maxIdleConnections;
    private volatile boolean closed;

    ConnectionPool(long maxIdleNanos, int maxIdleConnections) {
        this.maxIdleNanos = maxIdleNanos;
        this.maxIdleConnections = maxIdleConnections;
    }

    /** An idle connection that was used recently enough, if any; stale ones are closed on the way. */
    Optional<HttpConnection> borrow() {
        for (HttpConnection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            if (!c.isClosed() && c.idleNanos() < maxIdleNanos) {
                return Optional.of(c);
            }
            discard(c);
        }
        return Optional.empty();
    }

    void opened(HttpConnection connection) {
        open.add(connection);
        if (closed) {
            discard(connection);
        }
    }

    void giveBack(HttpConnection connection) {
        if (closed || idle.size() >= maxIdleConnections) {
            discard(connection);
            return;
        }
        idle.addFirst(connection);
    }

    void discard(HttpConnection connection) {
        open.remove(connection);
        connection.close();
    }

    int openCount() {
        return open.size();
    }

    @Override
    public void close() {
        closed = true;
        for (HttpConnection c : open) {
            discard(c);
        }
        idle.clear();
    }
}
