package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What /proc says about a PID. PIDs wrap (and are not namespaced), so a PID alone never identifies
 * a process we started: we also compare its start time (field 22 of /proc/PID/stat, fixed for the
 * process' life, unchanged by exec) and its command line before sending any signal.
 */
final class ProcFs {
    private ProcFs() {
    }

    /** Start time in clock ticks after boot; empty when there is no such process. */
    static OptionalLong startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // comm (field 2) may contain spaces and parentheses: fields after it start past the last ')'
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            // rest[0] is field 3 (state), so field 22 is rest[19]
            return OptionalLong.of(Long.parseLong(rest[19]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Process state letter (R, S, T = stopped, Z = zombie, ...). */
    static Optional<Character> state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return Optional.of(stat.charAt(stat.lastIndexOf(')') + 2));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** argv as the process shows it now (a process may rewrite it, e.g. redis' title). */
    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            List<String> args = new ArrayList<>();
            for (String a : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                if (!a.isEmpty()) {
                    args.add(a);
                }
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * True when PID is still the process we started: same start time, and its command line names
     * {@code executable} (or still the {@code ip netns exec} wrapper that is about to exec it).
     */
    static boolean matches(long pid, long startTicks, String executable) {
        OptionalLong now = startTicks(pid);
        if (now.isEmpty() || now.getAsLong() != startTicks) {
            return false;
        }
        List<String> args = cmdline(pid);
        if (args.isEmpty()) {
            return false; // zombie or kernel thread: nothing to signal
        }
        String argv0 = Path.of(args.get(0).split(" ")[0]).getFileName().toString();
        return argv0.equals(executable) || args.get(0).startsWith(executable)
                || (argv0.equals("ip") && args.contains(executable));
    }

    static boolean alive(long pid, long startTicks) {
        OptionalLong now = startTicks(pid);
        return now.isPresent() && now.getAsLong() == startTicks && state(pid).map(s -> s != 'Z').orElse(false);
    }

    /** Sends a signal (TERM, KILL, STOP, CONT) with kill(1); false when it failed. */
    static boolean signal(long pid, String signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
