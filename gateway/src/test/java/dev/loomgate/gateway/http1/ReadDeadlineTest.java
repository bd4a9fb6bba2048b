package dev.loomgate.gateway.http1;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadDeadlineTest {
    @Test
    void aReadThatEndsInTimeIsNotExpired() {
        ReadDeadline d = new ReadDeadline();
        d.arm(1_000);
        assertFalse(d.expireIfOverdue(999), "not yet due");
        assertFalse(d.disarm(), "ended before its deadline");
        assertFalse(d.expireIfOverdue(5_000), "nothing waits after disarm");
    }

    @Test
    void anOverdueReadExpiresExactlyOnce() {
        ReadDeadline d = new ReadDeadline();
        d.arm(1_000);
        assertTrue(d.expireIfOverdue(1_000));
        assertFalse(d.expireIfOverdue(2_000), "the watchdog unblocks a read once");
        assertTrue(d.disarm(), "the reader learns that its read timed out");
        assertFalse(d.disarm(), "and the next read starts clean");
    }

    @Test
    void deadlinesAcrossTheNanoTimeWrapAndOnTheSentinelValues() {
        ReadDeadline d = new ReadDeadline();
        d.arm(Long.MAX_VALUE);
        assertFalse(d.expireIfOverdue(Long.MAX_VALUE - 1));
        assertTrue(d.expireIfOverdue(Long.MIN_VALUE + 5), "nanoTime values compare by difference");
        d.disarm();
        for (long sentinel : new long[] {0, Long.MIN_VALUE}) {
            d.arm(sentinel);
            assertFalse(d.expireIfOverdue(sentinel - 10));
            assertTrue(d.expireIfOverdue(sentinel + 10), "a deadline equal to a marker still fires");
            assertTrue(d.disarm());
        }
    }

    @Test
    void aReadRearmedAfterTheWatchdogLookedIsNotExpiredByTheStaleLook() throws Exception {
        // the watchdog's compare-and-set on the deadline it saw: a new read's later deadline survives
        ReadDeadline d = new ReadDeadline();
        d.arm(1_000);
        assertFalse(d.disarm());
        d.arm(10_000);
        assertFalse(d.expireIfOverdue(2_000));
        assertFalse(d.disarm());
    }
}
