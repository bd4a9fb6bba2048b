package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpuMeterTest {
    @Test
    void machineTicksCountIdleAndIowaitAsNotBusy() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        CpuMeter.MachineTicks t = CpuMeter.MachineTicks.parse("cpu  100 0 50 800 50 0 0 0 0 0").orElseThrow();
        assertEquals(150, t.busy());
        assertEquals(1000, t.total());
        CpuMeter.MachineTicks later = CpuMeter.MachineTicks.parse("cpu  250 0 100 900 50 0 0 0 0 0").orElseThrow();
        assertEquals(200.0 / 300, later.busyShareSince(t), 1e-9);
    }

    @Test
    void anotherLineIsNoReading() {
        assertTrue(CpuMeter.MachineTicks.parse("cpu0 1 2 3 4 5").isEmpty());
        assertTrue(CpuMeter.MachineTicks.parse("cpu 1 2").isEmpty());
    }

    @Test
    void coresAreCpuTimeOverWallTime() {
        CpuMeter.CoresUsed c = CpuMeter.CoresUsed.of(5_000_000_000L, Optional.of(10_000_000_000L), 2_500_000_000L,
                Optional.of(0.9), Duration.ofSeconds(10), 2);
        assertEquals(0.5, c.generator(), 1e-9);
        assertEquals(1.0, c.proxy().orElseThrow(), 1e-9);
        assertEquals(0.25, c.origin(), 1e-9);
        assertEquals(1.8, c.machineBusy(), 1e-9);
        assertEquals("gen 0.50, proxy 1.00, origin 0.25, other 0.05; machine 1.80/2 busy", c.text());
        assertEquals("gen 0.50, proxy -, origin 0.25, other ?; machine ?/2 busy", CpuMeter.CoresUsed.of(5_000_000_000L,
                Optional.empty(), 2_500_000_000L, Optional.empty(), Duration.ofSeconds(10), 2).text());
    }

    @Test
    void thisProcessUsesCpu() {
        long before = CpuMeter.nanos(ProcessHandle.current());
        long spin = 0;
        for (int i = 0; i < 50_000_000; i++) {
            spin += i ^ (spin >>> 3);
        }
        assertTrue(spin != 42 && CpuMeter.nanos(ProcessHandle.current()) > before);
    }
}
