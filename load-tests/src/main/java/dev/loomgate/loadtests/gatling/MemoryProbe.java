package dev.loomgate.loadtests.gatling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Samples a running node: forces a full GC with {@code jcmd PID GC.run} (so heap used is what survives, not
 * garbage), then reads {@code jvm_memory_used_bytes{area="heap"}} from its admin {@code /metrics} and VmRSS from
 * {@code /proc/PID/status}.
 */
final class MemoryProbe {
    private final Path jcmd;

    MemoryProbe(Path javaHome) {
        this.jcmd = javaHome.resolve("bin").resolve("jcmd");
    }

    MemorySample sample(GatewayNode node) throws IOException, InterruptedException {
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(node.pid()), "GC.run")
                .redirectErrorStream(true).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS)) {
            gc.destroyForcibly();
            throw new IOException("jcmd " + node.pid() + " GC.run did not return in 60 s");
        }
        String out = new String(gc.getInputStream().readAllBytes());
        if (gc.exitValue() != 0) {
            throw new IOException("jcmd " + node.pid() + " GC.run failed: " + out.strip());
        }
        String metrics = Http.get(node.adminUrl() + "/metrics").filter(r -> r.statusCode() == 200)
                .orElseThrow(() -> new IOException(node.name() + ": no answer from " + node.adminUrl() + "/metrics"))
                .body();
        long heap = MemoryReadings.heapUsedBytes(metrics).orElseThrow(() -> new IOException(
                node.name() + ": no jvm_memory_used_bytes{area=\"heap\"} in " + node.adminUrl() + "/metrics"));
        String status = Files.readString(Path.of("/proc", Long.toString(node.pid()), "status"));
        long rss = MemoryReadings.rssBytes(status).orElseThrow(() -> new IOException(
                "no VmRSS in /proc/" + node.pid() + "/status"));
        return new MemorySample(node.name(), node.pid(), heap, rss);
    }
}
