package dev.loomgate.loadtests.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Resident set size of a process and its children (nginx workers), from /proc. */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /** VmRSS of the process plus its descendants, in KiB; 0 for processes gone meanwhile. */
    static long rssKib(ProcessHandle process) {
        long total = rssOf(process.pid()).orElse(0L);
        for (ProcessHandle child : process.descendants().toList()) {
            total += rssOf(child.pid()).orElse(0L);
        }
        return total;
    }

    static Optional<Long> rssOf(long pid) {
        try {
            return parseVmRss(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The VmRSS line of a /proc/PID/status text, in KiB. */
    static Optional<Long> parseVmRss(String status) {
        return status.lines().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> l.substring(6).trim().split("\\s+"))
                .filter(p -> p.length == 2 && p[1].equals("kB"))
                .map(p -> Long.parseLong(p[0])).findFirst();
    }
}
