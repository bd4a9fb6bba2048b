package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Writes a benchmark's JSON and Markdown reports: {@code <kind>-<timestamp>.*} and {@code <kind>-latest.*}. */
public final class ReportFiles {
    private ReportFiles() {
    }

    /** Returns the paths written. */
    public static List<Path> write(Path dir, String kind, String json, String markdown) throws IOException {
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        List<Path> out = List.of(dir.resolve(kind + "-" + stamp + ".json"), dir.resolve(kind + "-" + stamp + ".md"),
                dir.resolve(kind + "-latest.json"), dir.resolve(kind + "-latest.md"));
        Files.writeString(out.get(0), json);
        Files.writeString(out.get(1), markdown);
        Files.writeString(out.get(2), json);
        Files.writeString(out.get(3), markdown);
        return out;
    }
}
