package dev.loomgate.gateway.observe;

import dev.loomgate.gateway.http.Json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per application log record, the shape the central log expects next to the access log:
 * {@code {"time","level","logger","node","thread","message"[,"error"]}} (docs/OBSERVABILITY.md, "Logs").
 * Messages pass through {@link LogRedaction#message(String)}.
 */
public final class JsonLogFormatter extends Formatter {
    private final String nodeId;

    public JsonLogFormatter(String nodeId) {
        this.nodeId = nodeId;
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(r.getMillis())).append('"');
        field(sb, "level", r.getLevel().getName());
        field(sb, "logger", r.getLoggerName() == null ? "" : r.getLoggerName());
        field(sb, "node", nodeId);
        field(sb, "thread", Thread.currentThread().getName());
        field(sb, "message", LogRedaction.message(formatMessage(r)));
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            field(sb, "error", LogRedaction.message(trace.toString().stripTrailing()));
        }
        return sb.append("}\n").toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":\"");
        Json.escapeInto(sb, value);
        sb.append('"');
    }
}
