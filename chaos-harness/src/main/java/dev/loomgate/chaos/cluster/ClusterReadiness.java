package dev.loomgate.chaos.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** When a started cluster counts as ready: every gateway ready, every HAProxy sees every node UP, the front answers. */
final class ClusterReadiness {
    private ClusterReadiness() {
    }

    /** Empty when ready, else the first thing that is not. */
    static String notReadyReason(List<ManagedProcess> gateways, ClusterLayout layout, Probes probes,
                                 Optional<String> clientNamespace, Supplier<String> frontUrl) {
        for (ManagedProcess g : gateways) {
            if (!g.ready()) {
                return g.name() + " not ready";
            }
        }
        String lbs = FrontTier.notReadyReason(layout, gateways.size());
        if (!lbs.isEmpty()) {
            return lbs;
        }
        try {
            HttpResponse r = probes.get(clientNamespace, frontUrl.get() + "/", Map.of(), Duration.ofSeconds(2));
            if (r.status() != 200) {
                return "front " + frontUrl.get() + " answers " + r.status();
            }
        } catch (IOException e) {
            return "front " + frontUrl.get() + ": " + e.getMessage();
        }
        return "";
    }

    /** Polls {@code notReadyReason} until it is empty; fails with the last reason after {@code timeout}. */
    static void await(Supplier<String> notReadyReason, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = notReadyReason.get();
            if (last.isEmpty()) {
                return;
            }
            ManagedProcess.sleep(200);
        }
        throw new IOException("cluster not ready after " + timeout.toSeconds() + " s: " + last);
    }
}
