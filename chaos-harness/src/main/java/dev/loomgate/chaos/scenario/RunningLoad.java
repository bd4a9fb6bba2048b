package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.EpochClock;
import dev.loomgate.chaos.load.LoadConfig;
import dev.loomgate.chaos.load.LoadGenerator;
import dev.loomgate.chaos.load.LoadRun;
import dev.loomgate.chaos.load.RequestRecord;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A load running for a scenario: in this JVM (loopback mode), or in a child JVM inside the cluster's client
 * namespace (namespace mode: the VIP exists only there). Records carry epoch times either way, so they compare
 * with fault instants taken here.
 */
public interface RunningLoad extends AutoCloseable {

    /** The clock faults should be timed with (the load's own when it runs in this JVM). */
    EpochClock clock();

    /** Stops scheduling; requests in flight complete. */
    void stop();

    /** Waits for the bounds (or {@link #stop()}) and every request; returns the records. */
    List<RequestRecord> await() throws InterruptedException, IOException;

    @Override
    void close();

    static RunningLoad start(LoadConfig config, Optional<String> clientNamespace, java.nio.file.Path workDir)
            throws IOException {
        return clientNamespace.isPresent()
                ? NamespacedLoad.start(config, clientNamespace.get(), workDir)
                : new InProcess(LoadGenerator.start(config));
    }

    /** The load generator in this JVM. */
    final class InProcess implements RunningLoad {
        private final LoadRun run;

        InProcess(LoadRun run) {
            this.run = run;
        }

        @Override
        public EpochClock clock() {
            return run.clock();
        }

        @Override
        public void stop() {
            run.stop();
        }

        @Override
        public List<RequestRecord> await() throws InterruptedException {
            return run.await().records();
        }

        @Override
        public void close() {
            run.close();
        }
    }
}
