package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * State one request shares between its body (possibly read on another thread) and its response:
 * whether the connection must close afterwards and whether {@code 100 Continue} is still owed.
 */
final class Exchange {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final int NO_CONTINUE = 0;
    private static final int CONTINUE_PENDING = 1;
    private static final int CONTINUE_SENDING = 2;

    final ConnectionOutput out;
    final HttpVersion version;
    final boolean headRequest;
    private volatile boolean close;
    private final AtomicInteger continueState;

    Exchange(ConnectionOutput out, HttpVersion version, boolean headRequest, boolean keepAlive, boolean expectContinue) {
        this.out = out;
        this.version = version;
        this.headRequest = headRequest;
        this.close = !keepAlive;
        this.continueState = new AtomicInteger(expectContinue ? CONTINUE_PENDING : NO_CONTINUE);
    }

    void mustClose() {
        close = true;
    }

    boolean closing() {
        return close;
    }

    /** On the first body read: the client waits for permission to send. */
    void continueIfExpected() throws IOException {
        if (continueState.compareAndSet(CONTINUE_PENDING, CONTINUE_SENDING)) {
            try {
                out.write(CONTINUE, 0, CONTINUE.length);
                out.flush();
            } finally {
                continueState.set(NO_CONTINUE);
            }
        }
    }

    /**
     * Called when the response head is about to be written. A client still waiting for
     * {@code 100 Continue} never gets it now; its body would follow the answer, so the connection
     * closes rather than read that body as a request.
     */
    void responseStarting() {
        while (true) {
            int s = continueState.get();
            if (s == CONTINUE_SENDING) {
                Thread.onSpinWait(); // a body reader is writing the 100 right now; a few microseconds
                continue;
            }
            if (s == CONTINUE_PENDING) {
                if (continueState.compareAndSet(CONTINUE_PENDING, NO_CONTINUE)) {
                    close = true;
                    return;
                }
                continue;
            }
            return;
        }
    }
}
