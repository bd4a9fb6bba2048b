package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ApacheBench (an HTTP/1.0 client) as a managed process and parses what it printed. */
public final class Ab {
    private final ManagedProcesses processes;
    private final Path workDir;
    private int runs;

    public Ab(ManagedProcesses processes, Path workDir) {
        this.processes = processes;
        this.workDir = workDir;
    }

    /**
     * {@code ab -n requests -c concurrency [-k] url}.
     *
     * @throws BenchFailure if ab fails, its output cannot be parsed or any request failed
     */
    public AbResult run(String label, String url, int requests, int concurrency, boolean keepAlive)
            throws IOException, InterruptedException {
        Path log = workDir.resolve("ab-%03d-%s.txt".formatted(++runs, label));
        List<String> cmd = new ArrayList<>(List.of("ab", "-q", "-n", Integer.toString(requests), "-c",
                Integer.toString(concurrency), "-s", "10"));
        if (keepAlive) {
            cmd.add("-k");
        }
        cmd.add(url);
        var started = processes.start("ab", cmd, workDir, log);
        boolean done = started.process().waitFor(300, TimeUnit.SECONDS);
        processes.stop(started);
        String out = Files.readString(log);
        if (!done) {
            throw new BenchFailure("ab against " + label + " did not finish within 300 s:\n" + out);
        }
        if (started.process().exitValue() != 0) {
            throw new BenchFailure("ab against " + label + " exited with " + started.process().exitValue() + ":\n" + out);
        }
        AbResult r = AbOutputParser.parse(out);
        if (r.failures() > 0) {
            throw new BenchFailure("%s: %d of %d ab requests failed (non-2xx %d); output in %s:%n%s"
                    .formatted(label, r.failures(), r.complete(), r.non2xx(), log, out));
        }
        return r;
    }
}
