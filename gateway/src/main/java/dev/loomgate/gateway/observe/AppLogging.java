package dev.loomgate.gateway.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/** Points the JVM's root logger at the configured {@link LogSettings}: once, when the node starts. */
public final class AppLogging {
    private AppLogging() {
    }

    /** Replaces the root logger's handlers with one that writes {@code settings} for node {@code nodeId}. */
    public static void install(LogSettings settings, String nodeId) throws IOException {
        Formatter formatter = settings.format() == LogSettings.Format.JSON
                ? new JsonLogFormatter(nodeId) : new SimpleFormatter();
        Handler handler;
        if (settings.file().equals(LogSettings.STDERR)) {
            handler = new ConsoleHandler();
            handler.setFormatter(formatter);
        } else {
            Path file = Path.of(settings.file());
            handler = new FlushingStreamHandler(Files.newOutputStream(file, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE), formatter);
        }
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
            h.close();
        }
        root.addHandler(handler);
    }

    /** Each record reaches the file at once, so a shipper tailing it (rsyslog imfile) sees it at once. */
    private static final class FlushingStreamHandler extends StreamHandler {
        FlushingStreamHandler(OutputStream out, Formatter formatter) {
            super(out, formatter);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
        }
    }
}
