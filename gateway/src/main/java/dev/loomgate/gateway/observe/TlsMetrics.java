package dev.loomgate.gateway.observe;

import java.util.List;

import dev.loomgate.gateway.tls.LoadedKey;
import dev.loomgate.gateway.tls.ServerTls;

/** Metrics of the TLS listeners: certificate expiry (alert on it), reloads, refused reloads, failed handshakes. */
public final class TlsMetrics {
    private TlsMetrics() {
    }

    /** Writes the series of every listener in {@code listeners} (none without TLS). */
    public static void write(PrometheusText p, List<ServerTls> listeners) {
        if (listeners.isEmpty()) {
            return;
        }
        p.help("loomgate_tls_certificate_not_after_seconds", "gauge",
                "Expiry (Unix time) of each certificate a TLS listener serves.");
        for (ServerTls t : listeners) {
            for (LoadedKey k : t.certificates()) {
                p.sample("loomgate_tls_certificate_not_after_seconds", "listener=\"" + t.listener() + "\",subject=\""
                        + PrometheusText.escape(k.leaf().getSubjectX500Principal().getName()) + "\"",
                        k.notAfter().getEpochSecond());
            }
        }
        p.help("loomgate_tls_reloads_total", "counter",
                "Certificate reloads by result: ok, or rejected (bad files; the previous certificates kept serving).");
        for (ServerTls t : listeners) {
            p.sample("loomgate_tls_reloads_total", "listener=\"" + t.listener() + "\",result=\"ok\"", t.reloads());
            p.sample("loomgate_tls_reloads_total", "listener=\"" + t.listener() + "\",result=\"rejected\"",
                    t.rejectedReloads());
        }
        p.help("loomgate_tls_handshake_failures_total", "counter",
                "TLS handshakes on the proxy listener that failed or timed out (no HTTP answer is possible).");
        for (ServerTls t : listeners) {
            p.sample("loomgate_tls_handshake_failures_total", "listener=\"" + t.listener() + "\"", t.handshakeFailures());
        }
    }
}
