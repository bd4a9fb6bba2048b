package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One process of the cluster, started from its rendered config and tracked by PID (a PID file in
 * the work dir, so {@code cluster down} can clean up after a crashed launcher). Every signal first
 * checks that the PID is still this process (start time + command line, see {@link ProcFs}).
 * {@link #restart()} starts the same command with the same config and ports, logging to a new file.
 */
public final class ManagedProcess {
    /** Whether the process answers (HTTP 200, PONG, ...). */
    @FunctionalInterface
    public interface ReadyProbe {
        boolean ready() throws Exception;
    }

    private final String name;
    private final String host;
    private final Optional<String> netns;
    private final List<String> command;
    private final Map<String, String> env;
    private final Path logsDir;
    private final Path pidFile;
    private final ReadyProbe probe;
    private final Runnable beforeStart;
    private final Consumer<String> progress;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Process process;
    private volatile long pid = -1;
    private volatile long startTicks = -1;
    private volatile Path log;
    private volatile boolean expectExit;
    private int starts;

    ManagedProcess(String name, String host, Optional<String> netns, List<String> command, Map<String, String> env,
                   Path workDir, ReadyProbe probe, Runnable beforeStart, Consumer<String> progress) {
        this.name = name;
        this.host = host;
        this.netns = netns;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.logsDir = workDir.resolve("logs");
        this.pidFile = workDir.resolve("pids").resolve(name + ".pid");
        this.probe = probe;
        this.beforeStart = beforeStart;
        this.progress = progress;
    }

    public String name() {
        return name;
    }

    /** Inventory host this process belongs to (gw1, lb1, redis1, ...). */
    public String host() {
        return host;
    }

    /** Network namespace it runs in (namespace mode). */
    public Optional<String> netns() {
        return netns;
    }

    /** The command as started (without the {@code ip netns exec} prefix). */
    public List<String> command() {
        return command;
    }

    public long pid() {
        return pid;
    }

    /** The current start's log (stdout and stderr); a restart writes a new file. */
    public Path log() {
        return log;
    }

    public boolean alive() {
        Process p = process;
        return p != null && p.isAlive() && ProcFs.alive(pid, startTicks);
    }

    /** Starts the process (also used by restart). */
    void start() throws IOException {
        lock.lock();
        try {
            if (alive()) {
                throw new IllegalStateException(name + " is already running (pid " + pid + ")");
            }
            beforeStart.run();
            Files.createDirectories(logsDir);
            Files.createDirectories(pidFile.getParent());
            starts++;
            log = logsDir.resolve(starts == 1 ? name + ".log" : name + "." + starts + ".log");
            List<String> argv = new ArrayList<>();
            netns.ifPresent(ns -> argv.addAll(List.of("ip", "netns", "exec", ns)));
            argv.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            expectExit = false;
            Process p = pb.start();
            process = p;
            pid = p.pid();
            startTicks = ProcFs.startTicks(pid).orElse(-1);
            Files.writeString(pidFile, pid + " " + startTicks + " " + executable() + " " + name + "\n");
            p.onExit().thenAccept(done -> {
                if (!expectExit && process == done) {
                    progress.accept(name + " (pid " + done.pid() + ") exited with code " + done.exitValue()
                            + "; log: " + log);
                }
            });
        } finally {
            lock.unlock();
        }
    }

    String executable() {
        return Path.of(command.get(0)).getFileName().toString();
    }

    /** SIGKILL, then waits until it is gone. */
    public void kill9() {
        expectExit = true;
        signal("KILL");
        awaitExit(Duration.ofSeconds(5));
    }

    /** SIGTERM without waiting (a gateway drains first). */
    public void sigterm() {
        expectExit = true;
        signal("TERM");
    }

    public void sigstop() {
        signal("STOP");
    }

    public void sigcont() {
        signal("CONT");
    }

    /** Stops (TERM, KILL after a grace period) and starts the same command again; does not wait for ready. */
    public void restart() throws IOException {
        stop(Duration.ofSeconds(12));
        start();
    }

    /** Waits until the probe answers; fails at once if the process exits. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!alive()) {
                throw new IllegalStateException(name + " exited before it was ready; last lines of " + log + ":\n"
                        + tail(log, 15));
            }
            try {
                if (probe.ready()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            sleep(150);
        }
        throw new IllegalStateException(name + " not ready after " + timeout.toMillis() + " ms"
                + (last == null ? "" : " (" + last + ")") + "; last lines of " + log + ":\n" + tail(log, 15));
    }

    /** Whether the probe answers now. */
    public boolean ready() {
        try {
            return alive() && probe.ready();
        } catch (Exception e) {
            return false;
        }
    }

    /** TERM (after CONT, in case it is stopped), KILL after {@code grace}; removes the PID file. */
    void stop(Duration grace) {
        lock.lock();
        try {
            expectExit = true;
            if (alive()) {
                signal("CONT");
                signal("TERM");
                if (!awaitExit(grace)) {
                    progress.accept(name + " did not stop within " + grace.toMillis() + " ms: kill -9");
                    signal("KILL");
                    awaitExit(Duration.ofSeconds(5));
                }
            }
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            progress.accept("could not remove " + pidFile + ": " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    private boolean awaitExit(Duration timeout) {
        Process p = process;
        if (p == null) {
            return true;
        }
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void signal(String sig) {
        long p = pid;
        if (p > 0 && ProcFs.matches(p, startTicks, executable())) {
            ProcFs.signal(p, sig);
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log)";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + pid + ")";
    }
}
