package dev.loomgate.gateway.policy.headers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.loomgate.gateway.testing.RecordingHeaders;

class HeaderOpsTest {
    @Test
    void headerOpsApplyRemoveThenSetThenAdd() {
        HeaderOps ops = new HeaderOps(Map.of("X-A", "set"), Map.of("X-A", "added"), List.of("X-A"));
        RecordingHeaders h = new RecordingHeaders().with("X-A", "original").with("X-Keep", "k");
        ops.applyTo(h);
        assertEquals(List.of("remove X-A", "set X-A", "add X-A"), h.calls);
        assertEquals(List.of("set", "added"), h.values.get("x-a"));
        assertEquals(List.of("k"), h.values.get("x-keep"));
        assertTrue(HeaderOps.none().isEmpty());
        assertFalse(ops.isEmpty());
        RecordingHeaders untouched = new RecordingHeaders().with("X-A", "1");
        HeaderOps.none().applyTo(untouched);
        assertTrue(untouched.calls.isEmpty());
    }
}
