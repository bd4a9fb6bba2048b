package dev.loomgate.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.testsupport.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The fence under the invalidation connection's TLS, on a real loopback socket fed TLS-framed records: the layer above
 * gets a record's first byte alone, is marked pending before the rest leaves the kernel, never reads past a record, and
 * is quiet again only while blocked at a record boundary with nothing in the kernel.
 */
class FencedSocketTest {
    private static byte[] record(byte... body) {
        byte[] r = new byte[5 + body.length];
        r[0] = 23; // application data
        r[1] = 3;
        r[2] = 3;
        r[3] = (byte) (body.length >> 8);
        r[4] = (byte) body.length;
        System.arraycopy(body, 0, r, 5, body.length);
        return r;
    }

    @Test
    void pendingFromARecordsFirstByteToTheNextBoundary() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             FencedSocket fenced = new FencedSocket()) {
            fenced.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2000);
            try (Socket peer = server.accept()) {
                OutputStream out = peer.getOutputStream();
                InputStream in = fenced.getInputStream();
                assertTrue(fenced.quietBelowTls(), "nothing sent yet");
                byte[] first = record((byte) 'a', (byte) 'b', (byte) 'c');
                byte[] second = record((byte) 'x', (byte) 'y');
                byte[] both = Arrays.copyOf(first, first.length + second.length);
                System.arraycopy(second, 0, both, first.length, second.length);
                out.write(both);
                out.flush();
                Await.until("arrived", () -> !fenced.quietBelowTls());
                byte[] buf = new byte[64];
                assertEquals(1, in.read(buf, 0, 64), "a record's first byte comes alone");
                assertFalse(fenced.quietBelowTls(), "pending once the first byte is taken");
                assertEquals(4, in.read(buf, 1, 63), "the rest of the header, not more");
                assertEquals(3, in.read(buf, 5, 59), "the body, never past the record");
                assertArrayEquals(first, Arrays.copyOf(buf, first.length));
                assertFalse(fenced.quietBelowTls(), "still pending: the layer above has not asked for more yet");
                assertEquals(1, in.read(buf, 0, 64), "the next record's first byte alone");
                assertEquals(4, in.read(buf, 1, 63));
                assertEquals(2, in.read(buf, 5, 59));
                assertFalse(fenced.quietBelowTls(), "pending until the next boundary");
                CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.read(new byte[64], 0, 64);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Await.until("quiet while blocked at a boundary with nothing in the kernel", fenced::quietBelowTls);
                out.write(record((byte) 'z'));
                out.flush();
                assertEquals(1, blocked.get());
                assertFalse(fenced.quietBelowTls(), "pending again");
            }
        }
    }
}
