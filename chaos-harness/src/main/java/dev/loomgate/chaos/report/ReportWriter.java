package dev.loomgate.chaos.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a run's report folder: {@code summary.json} and {@code index.html}. */
public final class ReportWriter {
    private ReportWriter() {
    }

    /** Writes both files into {@code dir} (created if missing) and returns the path of {@code index.html}. */
    public static Path write(RunReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.json"), SummaryJson.render(report, dir), StandardCharsets.UTF_8);
        Path index = dir.resolve("index.html");
        Files.writeString(index, HtmlReport.render(report, dir), StandardCharsets.UTF_8);
        return index;
    }
}
