package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every process the benchmark starts, stopped by handle in reverse start order on {@link #close()}
 * and, through a shutdown hook, on Ctrl-C or any other JVM exit.
 */
public final class ManagedProcesses implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Started> started = new ArrayDeque<>();
    private final Thread hook = new Thread(this::onJvmExit, "bench-stop-processes");
    private volatile boolean exiting;

    /** A started process, its name and where its output goes. */
    public record Started(String name, Process process, Path log) {
        public String logTail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e.getMessage() + ")";
            }
        }
    }

    public ManagedProcesses() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code command} with stdout and stderr into {@code log}. */
    public Started start(String name, List<String> command, Path workDir, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        lock.lock();
        try {
            Started s = new Started(name, pb.start(), log);
            started.push(s);
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** Stops one process now (and its children). */
    public void stop(Started s) {
        lock.lock();
        try {
            started.remove(s);
        } finally {
            lock.unlock();
        }
        terminate(s.process());
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing to remove
        }
    }

    /** True once the JVM is exiting (Ctrl-C): processes dying now are being stopped, not failing. */
    public boolean exiting() {
        return exiting;
    }

    private void onJvmExit() {
        exiting = true;
        stopAll();
    }

    private void stopAll() {
        while (true) {
            Started s;
            lock.lock();
            try {
                s = started.poll();
            } finally {
                lock.unlock();
            }
            if (s == null) {
                return;
            }
            terminate(s.process());
        }
    }

    /** SIGTERM, a grace period, then SIGKILL; children (nginx workers) are collected first so none is orphaned. */
    private static void terminate(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }
}
