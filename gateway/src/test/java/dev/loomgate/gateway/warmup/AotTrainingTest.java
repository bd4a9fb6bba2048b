package dev.loomgate.gateway.warmup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AOT training workload runs a real node to the end in this JVM and leaves no temp directory behind. */
class AotTrainingTest {

    private static List<Path> trainingDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("loomgate-aot-training")).toList();
        }
    }

    @Test
    void drivesEveryRequestThroughANodeAndCleansUp() throws Exception {
        List<Path> before = trainingDirs();
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            AotTraining.main(new String[] {"--requests", "400", "--clients", "3"});
        } finally {
            System.setOut(out);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("aot training: 400 requests answered"), printed);
        assertEquals(before, trainingDirs(), "temp directories left behind");
    }

    @Test
    void helpPrintsUsage() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            AotTraining.main(new String[] {"--help"});
        } finally {
            System.setOut(out);
        }
        assertTrue(captured.toString(StandardCharsets.UTF_8).startsWith("usage: AotTraining"));
    }
}
