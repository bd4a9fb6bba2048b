package dev.loomgate.chaos.report;

import dev.loomgate.chaos.ReportDemo;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Opens the demo report in headless Chromium (Debian's package, installed by {@code make deps}) and checks the screenshot. */
class HtmlReportRenderTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        // under the module's target/ (not the system temp dir): the report and its screenshot stay for a look
        Files.createDirectories(Path.of("target"));
        Path dir = Files.createTempDirectory(Path.of("target"), "chaos-report");
        Path index = ReportWriter.write(ReportDemo.demoReport(Instant.parse("2026-01-15T10:00:00Z"), dir), dir);
        String html = Files.readString(index, StandardCharsets.UTF_8);
        assertTrue(html.contains("<svg") && html.contains("kill -9 gw2") && html.contains("badge fail"), "report content");
        assertTrue(Files.exists(dir.resolve("summary.json")));
        assertTrue(Files.exists(dir.resolve("logs/node-kill-records.jsonl")), "linked log written");
        String withoutSvgNamespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assertTrue(!withoutSvgNamespace.contains("http://") && !withoutSvgNamespace.contains("https://"),
                "the report references nothing on the network");

        if (!Files.isExecutable(CHROMIUM)) {
            fail("headless Chromium missing at " + CHROMIUM + ": run `make deps` (installs Debian's chromium)");
        }
        Path png = dir.resolve("screenshot.png");
        screenshot(index, png, dir);
        // kept next to the report for a human to look at
        System.out.println("screenshot: " + png);

        assertTrue(Files.size(png) > 20_000, "screenshot size " + Files.size(png));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1400, image.getWidth());
        assertEquals(1000, image.getHeight());
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        int faultRed = 0;
        int requestBlue = 0;
        int passGreen = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) {
                    nonWhite++;
                }
                faultRed += near(rgb, 0xd62728) ? 1 : 0;
                requestBlue += near(rgb, 0x1f77b4) ? 1 : 0;
                passGreen += near(rgb, 0xd8f3dc) ? 1 : 0;
            }
        }
        assertTrue(colours.size() > 50, "distinct colours " + colours.size());
        assertTrue(nonWhite > image.getWidth() * image.getHeight() / 10, "non-white pixels " + nonWhite);
        assertTrue(faultRed > 100, "fault line / error series pixels " + faultRed);
        assertTrue(requestBlue > 200, "requests/s series pixels " + requestBlue);
        assertTrue(passGreen > 50, "PASS badge pixels " + passGreen);
    }

    private static boolean near(int rgb, int target) {
        int dr = ((rgb >> 16) & 0xff) - ((target >> 16) & 0xff);
        int dg = ((rgb >> 8) & 0xff) - ((target >> 8) & 0xff);
        int db = (rgb & 0xff) - (target & 0xff);
        return dr * dr + dg * dg + db * db < 30 * 30;
    }

    private static void screenshot(Path index, Path png, Path dir) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chaos-chromium");
        Path log = dir.resolve("chromium.out");
        Process process = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1400,1000",
                index.toUri().toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                fail("chromium did not finish within 60 s; output: " + Files.readString(log));
            }
            assertEquals(0, process.exitValue(), "chromium exit; output: " + Files.readString(log));
            assertTrue(Files.exists(png), "no screenshot; output: " + Files.readString(log));
        } finally {
            // its renderer and zygote children first: once the parent is gone they cannot be found from it
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
