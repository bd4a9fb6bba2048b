package dev.loomgate.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;

/**
 * A loopback port that refuses connections for as long as this is open. A socket bound to the port
 * without listening holds it: connections get a reset (refused), and no other process can bind it
 * meanwhile, as it could a port that was probed and closed. For "a dead endpoint" in tests.
 */
public final class RefusingPort implements AutoCloseable {
    private final Socket holder;

    private RefusingPort(Socket holder) {
        this.holder = holder;
    }

    public static RefusingPort open() {
        Socket s = new Socket();
        try {
            s.setReuseAddress(false); // no listener may share the port while it is held
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new RefusingPort(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // failing anyway
            }
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Holds {@code port} of a server that was just killed, until it is started there again: {@code SO_REUSEADDR}
     * lets the bind pass the dead server's closing connections, and a port held so is still never picked for
     * another socket's bind to port 0 (another test JVM's). Empty when the port cannot be bound.
     */
    public static Optional<RefusingPort> hold(int port) {
        Socket s = new Socket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return Optional.of(new RefusingPort(s));
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // not held anyway
            }
            return Optional.empty();
        }
    }

    public int port() {
        return holder.getLocalPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
        try {
            holder.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
