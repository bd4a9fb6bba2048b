package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.EpochClock;
import dev.loomgate.chaos.load.LoadConfig;
import dev.loomgate.chaos.load.RecordIo;
import dev.loomgate.chaos.load.RequestKind;
import dev.loomgate.chaos.load.RequestRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator in a child JVM started with {@code ip netns exec NS java ... load-worker}: it writes its
 * records as JSON lines; a line {@code stop} on its stdin (or stdin closing) stops it early. The child is
 * tracked by its handle and destroyed on close.
 */
final class NamespacedLoad implements RunningLoad {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final Process process;
    private final Path records;
    private final LoadConfig config;
    private final EpochClock clock = new EpochClock();

    private NamespacedLoad(Process process, Path records, LoadConfig config) {
        this.process = process;
        this.records = records;
        this.config = config;
    }

    static NamespacedLoad start(LoadConfig config, String namespace, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        int n = SEQ.incrementAndGet();
        Path out = workDir.resolve("load-" + n + ".jsonl").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, java,
                "-cp", System.getProperty("java.class.path"), LoadWorker.class.getName()));
        cmd.addAll(LoadWorker.args(config, out));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("load-" + n + ".log").toFile()).start();
        return new NamespacedLoad(p, out, config);
    }

    @Override
    public EpochClock clock() {
        return clock;
    }

    @Override
    public void stop() {
        try {
            OutputStream in = process.getOutputStream();
            in.write("stop\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
        } catch (IOException e) {
            // the worker is gone already: nothing to stop
        }
    }

    @Override
    public List<RequestRecord> await() throws InterruptedException, IOException {
        long bound = config.maxDuration().plus(config.connectTimeout()).plus(config.readTimeout()).toMillis() + 20_000;
        if (!process.waitFor(bound, TimeUnit.MILLISECONDS)) {
            stop();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("load worker did not finish; see " + records.resolveSibling(
                        records.getFileName().toString().replace(".jsonl", ".log")));
            }
        }
        if (process.exitValue() != 0 || !Files.exists(records)) {
            throw new IOException("load worker exited " + process.exitValue() + " without records; see its log next to "
                    + records);
        }
        return RecordIo.readJsonLines(records);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
        }
    }

    static String kindPath(LoadConfig config, RequestKind kind) {
        return config.paths().getOrDefault(kind, "/");
    }
}
