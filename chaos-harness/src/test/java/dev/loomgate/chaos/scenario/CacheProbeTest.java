package dev.loomgate.chaos.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.loomgate.chaos.report.FaultEvent;

class CacheProbeTest {
    private static final List<FaultEvent> FAULTS = List.of(FaultEvent.instant("kill -9", "gw2", 10_000),
            FaultEvent.instant("kill -9", "redis master redis1", 18_000));

    @Test
    void namesTheNearestFaultBeforeThePurge() {
        assertEquals("1.5 s after kill -9 gw2", CacheProbe.relativeTo(11_500, FAULTS));
        assertEquals("0.3 s after kill -9 redis master redis1", CacheProbe.relativeTo(18_300, FAULTS));
    }

    @Test
    void purgesBeforeAnyFaultAreSaidToBe() {
        assertEquals("2.0 s before kill -9 gw2", CacheProbe.relativeTo(8_000, FAULTS));
        assertEquals("with no fault injected", CacheProbe.relativeTo(8_000, List.of()));
    }
}
