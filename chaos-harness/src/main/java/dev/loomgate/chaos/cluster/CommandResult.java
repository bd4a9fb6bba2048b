package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Exit code and combined output of a short command. */
public record CommandResult(int exitCode, String output) {
    /** Runs {@code cmd} to completion (killed after {@code timeout}: exit code -1). */
    public static CommandResult run(List<String> cmd, Duration timeout) throws IOException {
        return run(cmd, java.util.Map.of(), timeout);
    }

    /** As {@link #run(List, Duration)} with extra environment variables (secrets stay off the command line). */
    public static CommandResult run(List<String> cmd, java.util.Map<String, String> env, Duration timeout)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(java.nio.file.Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        // read on a virtual thread so a chatty command cannot block on a full pipe
        var out = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            try {
                out.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.complete("");
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                return new CommandResult(-1, "timed out after " + timeout.toMillis() + " ms: " + String.join(" ", cmd));
            }
            return new CommandResult(p.exitValue(), out.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new CommandResult(p.exitValue(), "");
        }
    }

    /** Runs {@code cmd} and fails with its output unless it exits 0. */
    public static String check(List<String> cmd, Duration timeout) throws IOException {
        return check(cmd, java.util.Map.of(), timeout);
    }

    /** As {@link #check(List, Duration)} with extra environment variables. */
    public static String check(List<String> cmd, java.util.Map<String, String> env, Duration timeout)
            throws IOException {
        CommandResult r = run(cmd, env, timeout);
        if (r.exitCode() != 0) {
            throw new IOException("'" + String.join(" ", cmd) + "' failed (exit " + r.exitCode() + "): "
                    + r.output().strip());
        }
        return r.output();
    }
}
