package dev.loomgate.loadtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The machine the figures come from.
 *
 * @param cores       online processors
 * @param cpuModel    "model name" from /proc/cpuinfo
 * @param memory      MemTotal from /proc/meminfo, human readable
 * @param jdk         java.vm.name / java.runtime.version of the JDK running the gateway
 * @param wrkVersion  first line of {@code wrk -v}
 * @param nginxVersion {@code nginx -v}
 * @param kernel      os.name os.version
 * @param date        when the run started (ISO-8601, local zone)
 */
public record MachineInfo(int cores, String cpuModel, String memory, String jdk, String wrkVersion, String nginxVersion,
                   String kernel, String date) {

    public static MachineInfo probe() {
        String cpu = lines("/proc/cpuinfo").stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse("unknown");
        String mem = lines("/proc/meminfo").stream()
                .filter(l -> l.startsWith("MemTotal:"))
                .map(l -> l.replaceAll("\\D+", ""))
                .findFirst()
                .map(kb -> "%.1f GiB".formatted(Long.parseLong(kb) / 1024.0 / 1024.0))
                .orElse("unknown");
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")";
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), cpu, mem, jdk,
                firstLine(List.of("wrk", "-v")).map(s -> s.replaceFirst("\\s*Copyright.*$", "")).orElse("wrk unknown"),
                firstLine(List.of("nginx", "-v")).map(s -> s.replace("nginx version: ", "")).orElse("nginx unknown"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                OffsetDateTime.now(ZoneId.systemDefault()).withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }

    /** The 1-minute load average now (other work on the machine skews the figures). */
    public static String loadAverage() {
        return lines("/proc/loadavg").stream().findFirst().map(l -> l.split(" ")[0]).orElse("?");
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<String> firstLine(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
