package dev.loomgate.gateway.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored response (one variant of one primary key): status, the upstream's end-to-end headers, the body, and
 * the freshness figures computed when it was received (RFC 9111 4.2). Immutable; the same object sits in L1 and is
 * what the L2 bytes decode to.
 *
 * @param receivedAtMillis wall-clock time the response was received (the nodes' clocks are assumed in sync)
 * @param initialAgeMillis the response's age when received (its {@code Age} header)
 * @param freshMillis      freshness lifetime
 * @param swrMillis        how long after going stale it may be served while a refresh runs
 * @param sieMillis        how long after going stale it may be served when the upstream fails
 */
public record CachedResponse(String routeId, int status, List<Header> headers, byte[] body, long receivedAtMillis,
                             long initialAgeMillis, long freshMillis, long swrMillis, long sieMillis,
                             List<String> tags) {
    private static final int FORMAT = 1;
    /** Decoding refuses more than this many headers or tags (a corrupt or foreign value, not a crash). */
    private static final int MAX_FIELDS = 1024;

    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public CachedResponse {
        headers = List.copyOf(headers);
        tags = List.copyOf(tags);
    }

    /** RFC 9111 4.2.3 current_age, from this node's clock. */
    public long ageMillis(long nowMillis) {
        return initialAgeMillis + Math.max(0, nowMillis - receivedAtMillis);
    }

    public boolean fresh(long nowMillis) {
        return ageMillis(nowMillis) < freshMillis;
    }

    /** Stale, but inside the stale-while-revalidate window. */
    public boolean usableWhileRevalidating(long nowMillis) {
        return ageMillis(nowMillis) < freshMillis + swrMillis;
    }

    /** Stale, but inside the stale-if-error window. */
    public boolean usableOnError(long nowMillis) {
        return ageMillis(nowMillis) < freshMillis + sieMillis;
    }

    /** Wall-clock time after which no rule lets this entry be served; stores expire it then. */
    public long lastUsableMillis() {
        return receivedAtMillis - initialAgeMillis + freshMillis + Math.max(swrMillis, sieMillis);
    }

    public Optional<String> header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return Optional.of(h.value());
            }
        }
        return Optional.empty();
    }

    /** Approximate heap size, for the L1 weigher. */
    public int weight() {
        int w = 128 + body.length + routeId.length() * 2;
        for (Header h : headers) {
            w += 48 + (h.name().length() + h.value().length()) * 2;
        }
        for (String t : tags) {
            w += 40 + t.length() * 2;
        }
        return w;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(routeId);
            out.writeShort(status);
            out.writeLong(receivedAtMillis);
            out.writeLong(initialAgeMillis);
            out.writeLong(freshMillis);
            out.writeLong(swrMillis);
            out.writeLong(sieMillis);
            out.writeInt(headers.size());
            for (Header h : headers) {
                out.writeUTF(h.name());
                out.writeUTF(h.value());
            }
            out.writeInt(tags.size());
            for (String t : tags) {
                out.writeUTF(t);
            }
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new IllegalStateException("encoding to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Decodes {@link #encode()}'s bytes; empty for anything else (a foreign or corrupt value is a miss). */
    public static Optional<CachedResponse> decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readByte() != FORMAT) {
                return Optional.empty();
            }
            String route = in.readUTF();
            int status = in.readShort();
            long received = in.readLong();
            long initialAge = in.readLong();
            long fresh = in.readLong();
            long swr = in.readLong();
            long sie = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > MAX_FIELDS) {
                return Optional.empty();
            }
            List<Header> headers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                headers.add(new Header(in.readUTF(), in.readUTF()));
            }
            int t = in.readInt();
            if (t < 0 || t > MAX_FIELDS) {
                return Optional.empty();
            }
            List<String> tags = new ArrayList<>(t);
            for (int i = 0; i < t; i++) {
                tags.add(in.readUTF());
            }
            int len = in.readInt();
            if (len < 0 || len > in.available()) {
                return Optional.empty();
            }
            byte[] body = in.readNBytes(len);
            return Optional.of(new CachedResponse(route, status, headers, body, received, initialAge, fresh, swr, sie,
                    tags));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
