package dev.loomgate.gateway.frontdoor;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.loomgate.gateway.testing.TestPki;
import dev.loomgate.gateway.tls.CertificateSpec;
import dev.loomgate.gateway.tls.KeyMaterial;
import dev.loomgate.gateway.tls.KeySource;
import dev.loomgate.gateway.tls.ServerTls;
import dev.loomgate.gateway.tls.ServerTlsSettings;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Certificates replaced on disk are served without a restart; broken ones are refused and the old ones stay. */
class FrontDoorTlsReloadTest {
    private static final Duration POLL = Duration.ofMillis(50);
    @TempDir
    Path dir;
    private TestPki pki;
    private Path chain;
    private Path key;
    private FrontDoorServer server;
    private ServerTls tls;
    private final ConcurrentLinkedQueue<String> logged = new ConcurrentLinkedQueue<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r.getLevel() + " " + r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.create(dir, "reload");
        TestPki.Leaf first = pki.leaf("first", "ec", "api.test");
        chain = dir.resolve("live.pem");
        key = dir.resolve("live.key");
        Files.copy(first.chain(), chain);
        Files.copy(first.key(), key);
        Logger.getLogger(ServerTls.class.getName()).addHandler(capture);
        tls = ServerTls.load("front-door", ServerTlsSettings.of(List.of(
                new CertificateSpec(new KeySource.Pem(chain, key), List.of()))).withReloadInterval(POLL));
        tls.startWatching();
        server = new FrontDoorServer(FrontDoorSettings.builder().host("127.0.0.1").port(0).build(), tls,
                FrontDoorTlsTest.OK);
        server.start();
    }

    @AfterEach
    void stop() {
        Logger.getLogger(ServerTls.class.getName()).removeHandler(capture);
        server.stop();
        tls.close();
    }

    private BigInteger servedSerial(SSLContext client) throws IOException {
        try (SSLSocket s = FrontDoorTlsTest.handshake(client, server.port(), Optional.of("api.test"))) {
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static BigInteger serialOf(Path pem) throws Exception {
        return KeyMaterial.certificates(pem).getFirst().getSerialNumber();
    }

    /** Replaces the live files the way deploy tools do: write aside, then rename over (certificate first). */
    private void install(TestPki.Leaf leaf) throws IOException {
        Path c = dir.resolve("incoming.pem");
        Path k = dir.resolve("incoming.key");
        Files.copy(leaf.chain(), c, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(leaf.key(), k, StandardCopyOption.REPLACE_EXISTING);
        Files.move(c, chain, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(k, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void certificateSwappedUnderSteadyLoadWithoutAFailedRequest() throws Exception {
        SSLContext client = FrontDoorTlsTest.trusting(pki.ca());
        BigInteger oldSerial = serialOf(chain);
        TestPki.Leaf second = pki.leaf("second", "rsa", "api.test");
        BigInteger newSerial = serialOf(second.chain());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        record Seen(long connectedNanos, BigInteger serial) {
        }
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean keepAlive = i == 0; // one client keeps its connection across the swap
            load.add(Thread.ofVirtual().start(() -> {
                SSLSocket kept = null;
                for (int n = 0; n < 100_000 && running.get(); n++) {
                    try {
                        if (keepAlive) {
                            if (kept == null) {
                                kept = FrontDoorTlsTest.handshake(client, server.port(), Optional.of("api.test"));
                            }
                            kept.getOutputStream().write("GET /k HTTP/1.1\r\nHost: api.test\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                            kept.getOutputStream().flush();
                            byte[] answer = new byte[200];
                            int got = kept.getInputStream().read(answer);
                            if (got <= 0 || !new String(answer, 0, got, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                                failures.add("keep-alive answer: " + got);
                            }
                        } else {
                            // a new connection (and handshake) per request
                            long connected = System.nanoTime();
                            try (SSLSocket s = FrontDoorTlsTest.handshake(client, server.port(), Optional.of("api.test"))) {
                                seen.add(new Seen(connected, ((X509Certificate) s.getSession().getPeerCertificates()[0])
                                        .getSerialNumber()));
                                String answer = FrontDoorTlsTest.get(s, "api.test");
                                if (!answer.startsWith("HTTP/1.1 200")) {
                                    failures.add(answer);
                                }
                            }
                        }
                        ok.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        Await.until("steady load before the swap", () -> ok.get() >= 60);
        install(second);
        Await.until("the new certificate is live", () -> tls.reloads() >= 1
                && tls.certificates().getFirst().leaf().getSerialNumber().equals(newSerial));
        int atSwap = ok.get();
        long swapped = System.nanoTime();
        // a connection accepted before the swap may finish its handshake after it, with the old certificate:
        // only connections opened after the swap count as new handshakes
        Await.until("steady load after the swap", () -> ok.get() >= atSwap + 60
                && seen.stream().filter(x -> x.connectedNanos() - swapped > 0).count() >= 10);
        running.set(false);
        for (Thread t : load) {
            t.join(Duration.ofSeconds(20));
        }
        assertEquals(List.of(), List.copyOf(failures), "no request failed during the swap");
        List<BigInteger> after = seen.stream().filter(x -> x.connectedNanos() - swapped > 0).map(Seen::serial).toList();
        assertTrue(after.size() >= 10 && after.stream().allMatch(newSerial::equals),
                "handshakes after the swap see the new certificate, and only it: " + after);
        assertTrue(seen.stream().anyMatch(x -> x.serial().equals(oldSerial)), "the old one was served before");
        assertEquals(newSerial, servedSerial(client));
        assertTrue(oldSerial.compareTo(newSerial) != 0);
    }

    @Test
    void aBrokenReplacementIsRefusedNamingTheFileAndTheOldCertificateKeepsServing() throws Exception {
        SSLContext client = FrontDoorTlsTest.trusting(pki.ca());
        BigInteger oldSerial = serialOf(chain);
        Files.delete(key); // mid-deploy: the key is gone for a while
        Await.until("the missing key is reported", () -> tls.rejectedReloads() == 1);
        assertEquals(key + ": no such file", tls.lastRejection().orElseThrow());
        assertEquals(oldSerial, servedSerial(FrontDoorTlsTest.trusting(pki.ca())), "old certificate still served");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        Await.until("the broken key is refused", () -> tls.rejectedReloads() == 2);
        String why = tls.lastRejection().orElseThrow();
        assertTrue(why.startsWith(key.toString() + ": not a valid PKCS#8 EC private key"), why);
        assertTrue(logged.stream().anyMatch(l -> l.startsWith("WARNING") && l.contains(key.toString())
                && l.contains("NOT reloaded") && l.contains("previous certificates keep serving")), logged.toString());
        assertEquals(oldSerial, servedSerial(FrontDoorTlsTest.trusting(pki.ca())), "old certificate still served");

        // a key that parses but belongs to another certificate is refused too
        TestPki.Leaf other = pki.leaf("other", "ec", "api.test");
        Files.copy(other.key(), key, StandardCopyOption.REPLACE_EXISTING);
        Await.until("the mismatched key is refused", () -> tls.rejectedReloads() == 3);
        assertTrue(tls.lastRejection().orElseThrow().contains("does not belong to the certificate"),
                tls.lastRejection().orElseThrow());
        assertEquals(oldSerial, servedSerial(FrontDoorTlsTest.trusting(pki.ca())));

        // the matching certificate arrives: served from the next poll on, the rejection cleared
        Files.copy(other.chain(), chain, StandardCopyOption.REPLACE_EXISTING);
        Await.until("the fixed pair is served", () -> tls.reloads() == 1);
        assertTrue(tls.lastRejection().isEmpty());
        assertEquals(serialOf(other.chain()), servedSerial(client));
        assertEquals(3, tls.rejectedReloads(), "the same broken files are reported once, not on every poll");
    }
}
