package dev.loomgate.gateway.http1;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;

/**
 * The deadline of one connection's blocking read, enforced by a watchdog thread instead of SO_TIMEOUT.
 * Why: on a virtual thread a socket read with SO_TIMEOUT is a timed park, which schedules a timer task
 * (and wakes the scheduler's timer thread) for every read that waits, then cancels it; on the proxy
 * path that is two timed parks per request. Here a read publishes its deadline ({@link #arm}), the
 * watchdog that owns the connections expires overdue ones ({@link #expireIfOverdue}) and unblocks the
 * read by shutting down or closing the socket, and the reader learns from {@link #disarm} that its
 * read ended because it timed out. One reader at a time; the watchdog may be any thread.
 */
public final class ReadDeadline {
    private static final long IDLE = 0;
    private static final long EXPIRED = Long.MIN_VALUE;
    private static final VarHandle DEADLINE;

    static {
        try {
            DEADLINE = MethodHandles.lookup().findVarHandle(ReadDeadline.class, "deadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** IDLE (no read waiting), EXPIRED, or the System.nanoTime() by which the current read must end. */
    @SuppressWarnings("unused") // accessed through DEADLINE
    private volatile long deadline;

    /** Before a blocking read: it must end by {@code nanos} (a System.nanoTime() value). */
    public void arm(long nanos) {
        deadline = nanos == IDLE || nanos == EXPIRED ? nanos + 1 : nanos;
    }

    /**
     * After the read (returned, or threw): clears the deadline.
     *
     * @return whether the watchdog expired this read (it then ended by a shutdown or close, not by data)
     */
    public boolean disarm() {
        return (long) DEADLINE.getAndSet(this, IDLE) == EXPIRED;
    }

    /**
     * The watchdog's check: marks a read that is still waiting past its deadline as expired.
     *
     * @return true exactly once per expired read; the caller must then unblock it (shut the socket's
     *         input down or close it)
     */
    public boolean expireIfOverdue(long now) {
        long d = deadline;
        return d != IDLE && d != EXPIRED && now - d >= 0 && DEADLINE.compareAndSet(this, d, EXPIRED);
    }

    /**
     * One blocking read of {@code in} that must end by {@code nanos}: armed before, disarmed after.
     *
     * @throws SocketTimeoutException when the watchdog expired the read (its data, if any, is not used)
     */
    public int read(InputStream in, byte[] b, int off, int len, long nanos) throws IOException {
        arm(nanos);
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            if (disarm()) {
                throw timedOut(e);
            }
            throw e;
        }
        if (disarm()) {
            throw timedOut(null);
        }
        return n;
    }

    private static SocketTimeoutException timedOut(IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException("Read timed out");
        e.initCause(cause);
        return e;
    }
}
