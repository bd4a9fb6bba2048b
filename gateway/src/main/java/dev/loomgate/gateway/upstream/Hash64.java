package dev.loomgate.gateway.upstream;

import java.nio.charset.StandardCharsets;

/**
 * A small 64-bit string hash in the style of MurmurHash3 (x64 block mixing plus the fmix64
 * finalizer). Used for hash-ring positions: it must spread similar strings ("10.0.0.1:80#17",
 * "10.0.0.1:80#18") evenly over the whole long range and must be the same on every node and
 * every JVM, which {@link String#hashCode()} (32 bits, poor avalanche) is not good enough for.
 */
final class Hash64 {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final long SEED = 0x9e3779b97f4a7c15L;

    private Hash64() {
    }

    static long hash(String s) {
        return hash(s.getBytes(StandardCharsets.UTF_8));
    }

    static long hash(byte[] data) {
        long h = SEED;
        int blocks = data.length / 8;
        for (int b = 0; b < blocks; b++) {
            h ^= mixBlock(littleEndianLong(data, b * 8));
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729L;
        }
        long tail = 0;
        for (int i = data.length - 1; i >= blocks * 8; i--) {
            tail = (tail << 8) | (data[i] & 0xffL);
        }
        if (data.length % 8 != 0) {
            h ^= mixBlock(tail);
        }
        h ^= data.length;
        return fmix64(h);
    }

    private static long mixBlock(long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        return k * C2;
    }

    private static long littleEndianLong(byte[] d, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (d[off + i] & 0xffL);
        }
        return v;
    }

    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb93fe53b81a5L;
        k ^= k >>> 33;
        return k;
    }
}
