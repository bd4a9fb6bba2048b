package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each event goes to one queue, so "did not re-apply" is checked by order: after an
 * ignored change, the next event must be the following real change.
 */
class RoutesFileWatcherTest {
    private static final Duration POLL = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    private static String routes(String version) {
        return "version: \"" + version + "\"\nupstreams:\n  - name: demo\n    endpoints: [127.0.0.1:9001]\n"
                + "routes:\n  - id: all\n    upstream: demo\n";
    }

    private RoutesFileWatcher watcher(Path file, Consumer<RoutesDocument> onValid) {
        return new RoutesFileWatcher(file, POLL, onValid, events::add);
    }

    private Object next() throws InterruptedException {
        Object e = events.poll(20, TimeUnit.SECONDS);
        assertNotNull(e, "no event from the watcher");
        return e;
    }

    private String nextVersion() throws InterruptedException {
        Object e = next();
        assertTrue(e instanceof RoutesDocument, "expected a valid document, got " + e);
        return ((RoutesDocument) e).version();
    }

    @Test
    void validChangeIsAppliedAndUnchangedContentIsNot() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        try (RoutesFileWatcher w = watcher(file, events::add)) {
            w.start();
            Files.writeString(file, routes("v2"));
            assertEquals("v2", nextVersion());

            // touched, same content: no event; the next event is v3
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
            Files.writeString(file, routes("v2"));
            // a window of polls for a (wrong) re-apply: an absence cannot be awaited; a wrong v2 event would
            // arrive before v3 below
            Thread.sleep(POLL.multipliedBy(10).toMillis());
            Files.writeString(file, routes("v3"));
            assertEquals("v3", nextVersion());
        }
    }

    @Test
    void fileWrittenInPlaceByASlowWriterIsNotRejectedWhileEmpty() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        try (RoutesFileWatcher w = watcher(file, events::add)) {
            w.start();
            Files.writeString(file, ""); // truncate, then a writer paused longer than the watcher's settle time
            Thread.sleep(POLL.multipliedBy(15).toMillis()); // the pause is what is tested
            Files.writeString(file, routes("v2"));
            assertEquals("v2", nextVersion());
        }
    }

    @Test
    void fileThatStaysEmptyIsRejected() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        try (RoutesFileWatcher w = watcher(file, events::add)) {
            w.start();
            Files.writeString(file, "");
            Object e = next();
            assertTrue(e instanceof ConfigException ce && ce.reason().contains("empty"), "expected a rejection, got " + e);
        }
    }

    @Test
    void baselineAtStartIsNotReported() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        try (RoutesFileWatcher w = watcher(file, events::add)) {
            w.start();
            Thread.sleep(POLL.multipliedBy(10).toMillis()); // polls that could (wrongly) report the baseline as v1
            Files.writeString(file, routes("v2"));
            assertEquals("v2", nextVersion());
        }
    }

    @Test
    void invalidChangeIsRejectedNotApplied() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        try (RoutesFileWatcher w = watcher(file, events::add)) {
            w.start();
            Files.writeString(file, routes("v2").replace("upstream: demo", "upstream: nope"));
            Object e = next();
            assertTrue(e instanceof ConfigException, "expected a rejection, got " + e);
            ConfigException ce = (ConfigException) e;
            assertEquals("routes[0].upstream", ce.field());
            assertEquals("routes.yaml", ce.source());
            assertTrue(ce.reason().contains("unknown upstream 'nope'"));
            Files.writeString(file, routes("v3"));
            assertEquals("v3", nextVersion());
        }
    }

    @Test
    void replaceByRenameIsSeen() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        try (RoutesFileWatcher w = watcher(file, events::add)) {
            w.start();
            // same size and (likely) same mtime tick as the original: only the inode differs
            Path tmp = dir.resolve(".routes.yaml.swp");
            Files.writeString(tmp, routes("v9"));
            Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(file));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertEquals("v9", nextVersion());
        }
    }

    @Test
    void brieflyMissingFileKeepsWatching() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        try (RoutesFileWatcher w = watcher(file, events::add)) {
            w.start();
            Files.delete(file);
            Thread.sleep(POLL.multipliedBy(5).toMillis()); // the file stays missing for several polls: the case tested
            Files.writeString(file, routes("v2"));
            assertEquals("v2", nextVersion());
        }
    }

    @Test
    void applierRejectionIsReportedAsConfigException() throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, routes("v1"));
        Consumer<RoutesDocument> applier = doc -> {
            if (doc.version().equals("bad")) {
                throw new IllegalArgumentException("upstream demo has no reachable endpoint");
            }
            events.add(doc);
        };
        try (RoutesFileWatcher w = watcher(file, applier)) {
            w.start();
            Files.writeString(file, routes("bad"));
            Object e = next();
            assertTrue(e instanceof ConfigException, "expected a rejection, got " + e);
            assertTrue(((ConfigException) e).reason().contains("upstream demo has no reachable endpoint"));
            Files.writeString(file, routes("good"));
            assertEquals("good", nextVersion());
        }
    }
}
