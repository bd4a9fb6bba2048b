package dev.loomgate.chaos.report;

import java.nio.file.Path;

/** A log file shown as a link in the report, e.g. ("gw2 stdout", .../logs/gw2.log). */
public record LogLink(String label, Path path) {
}
