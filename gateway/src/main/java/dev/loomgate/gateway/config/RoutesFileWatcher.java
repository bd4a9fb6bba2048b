package dev.loomgate.gateway.config;

import dev.loomgate.gateway.yaml.ConfigSize;

import dev.loomgate.gateway.yaml.ConfigException;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Watches a routes file by polling on a virtual thread and reports each new content once:
 * parsed and valid to {@code onValid}, otherwise to {@code onRejected}.
 *
 * <p>Each poll compares modification time, size and file key (inode), which also notices an
 * editor that replaces the file by rename; only when they differ is the content read and
 * its SHA-256 compared, so a touched but unchanged file is not applied again. A file whose
 * mtime is within the last two seconds is re-hashed on each poll anyway, because a coarse
 * mtime cannot tell apart two writes within one tick. A missing file (mid-rename, or deleted)
 * is skipped: the last applied routes stay, and so is an empty file until its mtime is two seconds old
 * (a file being rewritten in place is empty between truncate and write).
 *
 * <p>The content present at {@link #start()} is the baseline and is not reported: load the
 * file with {@link RoutesParser#parse(Path)} first, then start the watcher.
 */
public final class RoutesFileWatcher implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);
    private static final System.Logger LOG = System.getLogger(RoutesFileWatcher.class.getName());
    private static final long RACY_MTIME_MILLIS = 2_000;

    private final Path file;
    private final Duration pollInterval;
    private final Consumer<RoutesDocument> onValid;
    private final Consumer<ConfigException> onRejected;
    private final long maxSize;
    private volatile boolean closed;
    private Thread thread;

    // touched by the polling thread only (and by start() before the thread exists)
    private Stamp lastStamp;
    private String lastHash;

    private record Stamp(long mtimeMillis, long size, Object fileKey) {
    }

    public RoutesFileWatcher(Path file, Duration pollInterval, Consumer<RoutesDocument> onValid,
                             Consumer<ConfigException> onRejected) {
        this(file, pollInterval, ConfigSize.DEFAULT_MAX, onValid, onRejected);
    }

    /** @param maxSize a larger file is rejected (the old routes keep serving) before it is parsed */
    public RoutesFileWatcher(Path file, Duration pollInterval, long maxSize, Consumer<RoutesDocument> onValid,
                             Consumer<ConfigException> onRejected) {
        this.maxSize = maxSize;
        this.file = Objects.requireNonNull(file, "file");
        this.pollInterval = pollInterval == null || pollInterval.isZero() || pollInterval.isNegative()
                ? DEFAULT_POLL_INTERVAL : pollInterval;
        this.onValid = Objects.requireNonNull(onValid, "onValid");
        this.onRejected = Objects.requireNonNull(onRejected, "onRejected");
    }

    public RoutesFileWatcher(Path file, Consumer<RoutesDocument> onValid, Consumer<ConfigException> onRejected) {
        this(file, DEFAULT_POLL_INTERVAL, onValid, onRejected);
    }

    /** Takes the current content as baseline and starts polling. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        lastStamp = stamp();
        byte[] content = lastStamp == null ? null : read();
        lastHash = content == null ? null : RoutesParser.sha256Hex(content);
        thread = Thread.ofVirtual().name("routes-file-watcher " + file.getFileName()).start(this::run);
    }

    /** Stops polling and waits briefly for the polling thread to end. */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final long SETTLE_MILLIS = 50;

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                pollOnce();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "routes file watcher: poll of " + file + " failed", e);
            }
        }
    }

    private void pollOnce() {
        Stamp stamp = stamp();
        if (stamp == null) {
            return; // missing for now: keep what we have
        }
        boolean racy = System.currentTimeMillis() - stamp.mtimeMillis < RACY_MTIME_MILLIS;
        if (stamp.equals(lastStamp) && !racy) {
            return;
        }
        byte[] content = readSettled();
        if (content == null) {
            return;
        }
        if (content.length == 0 && racy) {
            // truncated a moment ago: most likely written in place and not finished yet (a loaded box can
            // pause the writer for longer than the settle time); it is judged once it stays empty
            return;
        }
        lastStamp = stamp;
        String hash = RoutesParser.sha256Hex(content);
        if (hash.equals(lastHash)) {
            return;
        }
        lastHash = hash;
        if (closed) {
            return;
        }
        String name = file.getFileName().toString();
        RoutesDocument doc;
        try {
            ConfigSize.check(name, content.length > maxSize ? Math.max(stamp.size, content.length) : content.length,
                    maxSize);
            doc = RoutesParser.parse(RoutesParser.decodeUtf8(content, name), name);
        } catch (ConfigException e) {
            reject(e);
            return;
        }
        try {
            onValid.accept(doc);
        } catch (IllegalArgumentException e) {
            reject(new ConfigException(name, 0, "", "rejected: " + e.getMessage(), e));
        }
    }

    private void reject(ConfigException e) {
        try {
            onRejected.accept(e);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "routes file watcher: onRejected failed", ex);
        }
    }

    /**
     * Reads until two reads 50 ms apart agree, so a file being written in place (truncate, then
     * write) is not reported half-written as an invalid change.
     */
    private byte[] readSettled() {
        byte[] content = read();
        for (int i = 0; i < 20 && content != null; i++) {
            try {
                Thread.sleep(SETTLE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            byte[] again = read();
            if (again == null || java.util.Arrays.equals(content, again)) {
                return again;
            }
            content = again;
        }
        return content;
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
        } catch (IOException e) {
            return null;
        }
    }

    /** At most maxSize + 1 bytes: enough to tell an oversized file without holding all of it. */
    private byte[] read() {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxSize + 1));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "routes file watcher: cannot read " + file + ": " + e);
            return null;
        }
    }
}
