package dev.loomgate.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.testsupport.Await;
import dev.loomgate.testsupport.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** Signals, restart and PID files of one tracked process ({@code sleep}), without a cluster. */
class ManagedProcessTest {
    private final List<String> events = new CopyOnWriteArrayList<>();

    private ManagedProcess sleeper(Path work) {
        return new ManagedProcess("sleeper", "host1", Optional.empty(), List.of("sleep", "300"), Map.of(), work,
                () -> true, () -> { }, events::add);
    }

    @Test
    void signalsRestartAndPidFile() throws Exception {
        Path work = Files.createTempDirectory("lgmp");
        ManagedProcess p = sleeper(work);
        try {
            p.start();
            long first = p.pid();
            assertTrue(p.alive());
            Path pidFile = work.resolve("pids/sleeper.pid");
            assertTrue(Files.readString(pidFile).startsWith(first + " "), Files.readString(pidFile));

            p.sigstop();
            awaitState(first, 'T');
            p.sigcont();
            awaitNotState(first, 'T');

            p.kill9();
            assertFalse(p.alive());
            p.restart();
            assertNotEquals(first, p.pid());
            assertTrue(p.alive());
            assertEquals(work.resolve("logs/sleeper.2.log"), p.log());
            p.awaitReady(Duration.ofSeconds(5));
        } finally {
            p.stop(Duration.ofSeconds(5));
        }
        assertFalse(p.alive());
        assertFalse(Files.exists(work.resolve("pids/sleeper.pid")));
        TempDirs.deleteTree(work);
    }

    @Test
    void aPidWithAnotherStartTimeIsNotOurs() throws Exception {
        Path work = Files.createTempDirectory("lgmp");
        ManagedProcess p = sleeper(work);
        try {
            p.start();
            long ticks = ProcFs.startTicks(p.pid()).orElseThrow();
            assertTrue(ProcFs.matches(p.pid(), ticks, "sleep"));
            assertFalse(ProcFs.matches(p.pid(), ticks + 1, "sleep"), "a reused PID has another start time");
            assertFalse(ProcFs.matches(p.pid(), ticks, "haproxy"), "another program");
            // a PID file that names a process which is not ours: cluster down leaves it alone
            Files.writeString(work.resolve("pids/other.pid"), p.pid() + " " + (ticks + 1) + " sleep other\n");
            Files.delete(work.resolve("pids/sleeper.pid"));
            assertEquals(0, ClusterDown.killFromPidFiles(work, events::add));
            assertTrue(p.alive());
        } finally {
            p.stop(Duration.ofSeconds(5));
            TempDirs.deleteTree(work);
        }
    }

    @Test
    void awaitReadyFailsAtOnceWhenTheProcessExits() throws Exception {
        Path work = Files.createTempDirectory("lgmp");
        ManagedProcess p = new ManagedProcess("quitter", "host1", Optional.empty(), List.of("sh", "-c", "echo bye; exit 3"),
                Map.of(), work, () -> false, () -> { }, events::add);
        p.start();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.awaitReady(Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("exited before it was ready") && e.getMessage().contains("bye"),
                e.getMessage());
        p.stop(Duration.ofSeconds(1));
        TempDirs.deleteTree(work);
    }

    private static void awaitState(long pid, char state) {
        Await.value("process " + pid + " in state " + state, Duration.ofSeconds(5),
                () -> ProcFs.state(pid).orElse('?'), s -> s == state);
    }

    private static void awaitNotState(long pid, char state) {
        Await.value("process " + pid + " to leave state " + state, Duration.ofSeconds(5),
                () -> ProcFs.state(pid).orElse(state), s -> s != state);
    }
}
