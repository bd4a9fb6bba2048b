package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs wrk as a managed process and parses what it printed. */
public final class Wrk {
    private final ManagedProcesses processes;
    private final Path workDir;
    private final int threads;
    private final int connections;
    private final Optional<Path> script;
    private final AtomicInteger runs; // shared with the copies of withScript: one numbering of the logs in workDir

    public Wrk(ManagedProcesses processes, Path workDir, int threads, int connections) {
        this(processes, workDir, threads, connections, Optional.empty(), new AtomicInteger());
    }

    private Wrk(ManagedProcesses processes, Path workDir, int threads, int connections, Optional<Path> script,
                AtomicInteger runs) {
        this.processes = processes;
        this.workDir = workDir;
        this.threads = threads;
        this.connections = connections;
        this.script = script;
        this.runs = runs;
    }

    /**
     * This wrk with a Lua script ({@code -s}) on every run: e.g. a {@code request()} that sets a different header
     * per request. A script that only sets {@code wrk.headers} at its top level keeps wrk's one pre-built request
     * (no Lua per request), as {@code -H} does.
     */
    public Wrk withScript(Path luaScript) {
        if (!Files.isRegularFile(luaScript)) {
            throw new IllegalArgumentException("wrk script " + luaScript + " is not a file");
        }
        return new Wrk(processes, workDir, threads, connections, Optional.of(luaScript), runs);
    }

    /**
     * Runs wrk for {@code seconds} against {@code url}.
     *
     * @throws BenchFailure if wrk fails, its output cannot be parsed, or any request failed
     */
    public WrkResult run(String label, String url, int seconds) throws IOException, InterruptedException {
        return run(label, url, seconds, List.of());
    }

    /**
     * As {@link #run(String, String, int)}, every request carrying {@code headers} ("Name: value" each).
     *
     * @throws BenchFailure if wrk fails, its output cannot be parsed, or any request failed
     */
    public WrkResult run(String label, String url, int seconds, List<String> headers)
            throws IOException, InterruptedException {
        List<String> extra = new java.util.ArrayList<>();
        headers.forEach(h -> extra.addAll(List.of("-H", h)));
        WrkResult r = execute(label, url, seconds, extra, false);
        if (r.failures() > 0) {
            throw new BenchFailure("%s: %d of %d requests failed (non-2xx/3xx %d, socket errors %s); wrk output in %s"
                    .formatted(label, r.failures(), r.requests(), r.non2xx3xx(), r.socketErrors(), workDir));
        }
        if (r.requests() == 0) {
            throw new BenchFailure(label + ": wrk completed no request (output in " + workDir + ")");
        }
        return r;
    }

    /**
     * Runs wrk with a 10 s request timeout and returns its figures even when requests failed (the scale curves
     * report errors at 10,000 connections instead of stopping).
     *
     * @throws BenchFailure if wrk itself fails or its output cannot be parsed
     */
    public WrkResult measure(String label, String url, int seconds) throws IOException, InterruptedException {
        return execute(label, url, seconds, List.of("--timeout", "10s"), true);
    }

    /**
     * Runs wrk and returns its figures with failed requests counted, not thrown: for benchmarks that report their
     * non-2xx responses (an async route's queue full, a purge racing a request) beside the throughput.
     *
     * @throws BenchFailure if wrk itself fails or its output cannot be parsed
     */
    public WrkResult counting(String label, String url, int seconds) throws IOException, InterruptedException {
        return execute(label, url, seconds, List.of(), true);
    }

    private WrkResult execute(String label, String url, int seconds, List<String> extra, boolean tolerant)
            throws IOException, InterruptedException {
        Path log = workDir.resolve("wrk-%03d-%s.txt".formatted(runs.incrementAndGet(), label));
        List<String> cmd = new java.util.ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections,
                "-d" + seconds + "s", "--latency"));
        script.ifPresent(s -> cmd.addAll(List.of("-s", s.toString())));
        cmd.addAll(extra);
        cmd.add(url);
        var started = processes.start("wrk", cmd, workDir, log);
        boolean done = started.process().waitFor(seconds + 60L, TimeUnit.SECONDS);
        processes.stop(started);
        String out = Files.readString(log);
        if (processes.exiting()) {
            throw new BenchFailure("interrupted during the " + label + " run; stopped every process");
        }
        if (!done) {
            throw new BenchFailure("wrk against " + label + " did not finish within " + (seconds + 60) + " s:\n" + out);
        }
        int rc = started.process().exitValue();
        if (rc != 0) {
            throw new BenchFailure("wrk against " + label + " exited with " + rc + ":\n" + out);
        }
        WrkResult r = WrkOutputParser.parse(out);
        if (!tolerant && (r.failures() > 0 || r.requests() == 0)) {
            System.err.println("wrk output (" + log + "):\n" + out);
        }
        return r;
    }
}
