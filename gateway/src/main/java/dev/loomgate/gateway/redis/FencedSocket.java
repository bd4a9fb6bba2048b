package dev.loomgate.gateway.redis;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * The plain socket under the TLS layer of the invalidation connection, made observable for the cache's fence.
 * Without it, TLS would hide an invalidation: the JDK's TLS layer takes a whole record out of the kernel and decrypts it
 * before the reader sees a byte, and meanwhile neither the kernel ({@code available()} 0) nor the TLS layer
 * ({@code available()} 0 until decrypted) shows anything. So the TLS layer reads through {@link Fenced}: at a record
 * boundary it blocks for one byte only, then sets {@link #pending} before it hands out the rest of the record (which
 * stays visible in the kernel until then); {@code pending} is cleared at the next record boundary, when the TLS layer
 * has decrypted everything before it (it reads a new record only once its decrypted data was all taken by the reader,
 * which marks itself busy first). So from arrival to application an invalidation is always visible to
 * {@link #quietBelowTls()} (kernel, then pending), then to the TLS stream's {@code available()}, then to the reader.
 */
final class FencedSocket extends Socket {
    private static final int HEADER = 5; // TLS record header: type, version (2), length (2)

    private final Fenced fenced = new Fenced();
    private volatile boolean pending;

    /** Nothing of the stream is in the kernel or inside the TLS layer (call before the TLS stream's available()). */
    boolean quietBelowTls() {
        try {
            return super.getInputStream().available() == 0 && !pending;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public InputStream getInputStream() {
        return fenced;
    }

    /** Hands the TLS layer whole records, marking {@link #pending} from a record's first byte to the next boundary. */
    private final class Fenced extends InputStream {
        private final byte[] header = new byte[HEADER];
        private int headerRead;
        private int bodyLeft;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            InputStream raw = FencedSocket.super.getInputStream();
            if (headerRead == 0 && bodyLeft == 0) {
                pending = false; // a boundary: all earlier records are decrypted and taken (see the class comment)
                int first = raw.read();
                if (first < 0) {
                    return -1;
                }
                pending = true; // before anything else of the record leaves the kernel
                header[0] = (byte) first;
                headerRead = 1;
                b[off] = (byte) first;
                return 1;
            }
            int n;
            if (headerRead < HEADER) {
                n = raw.read(b, off, Math.min(len, HEADER - headerRead));
                if (n > 0) {
                    System.arraycopy(b, off, header, headerRead, n);
                    headerRead += n;
                    if (headerRead == HEADER) {
                        bodyLeft = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                        headerRead = bodyLeft == 0 ? 0 : HEADER;
                    }
                }
                return n;
            }
            n = raw.read(b, off, Math.min(len, bodyLeft)); // never past the record: the next one starts fenced
            if (n > 0) {
                bodyLeft -= n;
                if (bodyLeft == 0) {
                    headerRead = 0;
                }
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return FencedSocket.super.getInputStream().available();
        }

        @Override
        public void close() throws IOException {
            FencedSocket.this.close();
        }
    }
}
