package dev.loomgate.gateway.resilience;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryBudgetTest {
    private final AtomicLong second = new AtomicLong(100);

    private static int retriesAllowed(RetryBudget b, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            if (b.tryRetry()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void percentOfRequestsOverTheWindow() {
        RetryBudget b = new RetryBudget(20, 0, second::get);
        for (int i = 0; i < 100; i++) {
            b.requestStarted();
        }
        assertEquals(20, retriesAllowed(b, 1000));
    }

    @Test
    void theFloorAllowsRetriesAtLowTraffic() {
        RetryBudget b = new RetryBudget(20, 1, second::get);
        b.requestStarted();
        // 1 per second over a 10 s window, plus 20% of one request (0)
        assertEquals(10, retriesAllowed(b, 100));
    }

    @Test
    void oldSecondsLeaveTheWindow() {
        RetryBudget b = new RetryBudget(50, 0, second::get);
        for (int i = 0; i < 10; i++) {
            b.requestStarted();
        }
        assertEquals(5, retriesAllowed(b, 100));
        second.addAndGet(5);
        assertFalse(b.tryRetry(), "the earlier requests and retries are still in the window");
        second.addAndGet(6);
        assertFalse(b.tryRetry(), "no requests in the window: nothing to retry");
        b.requestStarted();
        b.requestStarted();
        assertTrue(b.tryRetry());
        assertFalse(b.tryRetry());
    }
}
