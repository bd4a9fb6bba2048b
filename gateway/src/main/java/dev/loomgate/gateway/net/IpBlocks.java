package dev.loomgate.gateway.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A set of CIDR blocks, IPv4 and IPv6 (trusted proxies, {@code ip-access} allow and deny lists). Immutable;
 * matching is a few integer compares per block, no allocation for an {@link InetAddress}, and never a DNS
 * lookup for text.
 */
public final class IpBlocks {
    private static final IpBlocks NONE = new IpBlocks(List.of(), new int[0], new int[0], new long[0],
            new long[0], new long[0], new long[0]);

    private final List<String> cidrs;
    private final int[] v4Net;
    private final int[] v4Mask;
    private final long[] v6NetHi;
    private final long[] v6NetLo;
    private final long[] v6MaskHi;
    private final long[] v6MaskLo;

    private IpBlocks(List<String> cidrs, int[] v4Net, int[] v4Mask, long[] v6NetHi, long[] v6NetLo,
                     long[] v6MaskHi, long[] v6MaskLo) {
        this.cidrs = List.copyOf(cidrs);
        this.v4Net = v4Net;
        this.v4Mask = v4Mask;
        this.v6NetHi = v6NetHi;
        this.v6NetLo = v6NetLo;
        this.v6MaskHi = v6MaskHi;
        this.v6MaskLo = v6MaskLo;
    }

    /** Contains no address. */
    public static IpBlocks none() {
        return NONE;
    }

    /**
     * @param cidrs blocks like {@code 10.0.0.0/8}, {@code 127.0.0.1/32}, {@code fd00::/8}; a bare address is /32 or /128
     * @throws IllegalArgumentException naming the bad entry
     */
    public static IpBlocks of(List<String> cidrs) {
        if (cidrs.isEmpty()) {
            return NONE;
        }
        List<int[]> v4 = new ArrayList<>();
        List<long[]> v6 = new ArrayList<>();
        for (String cidr : cidrs) {
            String c = cidr.strip();
            int slash = c.indexOf('/');
            String addr = slash < 0 ? c : c.substring(0, slash);
            InetAddress a = literal(addr).orElseThrow(() -> new IllegalArgumentException(
                    "'" + cidr + "' is not an IP address or CIDR block"));
            int max = a instanceof Inet4Address ? 32 : 128;
            int bits;
            try {
                bits = slash < 0 ? max : Integer.parseInt(c.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cidr + "': prefix length is not a number");
            }
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException("'" + cidr + "': prefix length must be 0.." + max);
            }
            byte[] b = a.getAddress();
            if (max == 32) {
                int mask = bits == 0 ? 0 : -1 << (32 - bits);
                v4.add(new int[] {toInt(b) & mask, mask});
            } else {
                long maskHi = bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
                long maskLo = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
                v6.add(new long[] {toLong(b, 0) & maskHi, toLong(b, 8) & maskLo, maskHi, maskLo});
            }
        }
        int[] net4 = v4.stream().mapToInt(x -> x[0]).toArray();
        int[] mask4 = v4.stream().mapToInt(x -> x[1]).toArray();
        return new IpBlocks(cidrs, net4, mask4, v6.stream().mapToLong(x -> x[0]).toArray(),
                v6.stream().mapToLong(x -> x[1]).toArray(), v6.stream().mapToLong(x -> x[2]).toArray(),
                v6.stream().mapToLong(x -> x[3]).toArray());
    }

    /** The blocks as configured. */
    public List<String> cidrs() {
        return cidrs;
    }

    public boolean isEmpty() {
        return cidrs.isEmpty();
    }

    public boolean contains(InetAddress a) {
        if (a instanceof Inet4Address) {
            int v = toInt(a.getAddress());
            for (int i = 0; i < v4Net.length; i++) {
                if ((v & v4Mask[i]) == v4Net[i]) {
                    return true;
                }
            }
            return false;
        }
        if (a instanceof Inet6Address && v6NetHi.length > 0) {
            byte[] b = a.getAddress();
            long hi = toLong(b, 0);
            long lo = toLong(b, 8);
            for (int i = 0; i < v6NetHi.length; i++) {
                if ((hi & v6MaskHi[i]) == v6NetHi[i] && (lo & v6MaskLo[i]) == v6NetLo[i]) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Parses an IP literal (IPv4 dotted quad, IPv6 with or without brackets) and never resolves a
     * name: X-Forwarded-For is client text. An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}) comes
     * back as the IPv4 address, so IPv4 blocks match it.
     */
    public static Optional<InetAddress> literal(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty() || s.length() > 45) {
            return Optional.empty();
        }
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return Optional.empty(); // no zone ids, no names
            }
        }
        try {
            return Optional.of(InetAddress.getByName(s)); // a literal with ':' is parsed, not looked up
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Optional<InetAddress> ipv4(String s) {
        byte[] b = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= s.length(); i++) {
            char c = i == s.length() ? '.' : s.charAt(i);
            if (c == '.') {
                if (value < 0 || part > 3) {
                    return Optional.empty();
                }
                b[part++] = (byte) value;
                value = -1;
            } else if (c >= '0' && c <= '9') {
                value = value < 0 ? c - '0' : value * 10 + (c - '0');
                if (value > 255) {
                    return Optional.empty();
                }
            } else {
                return Optional.empty();
            }
        }
        if (part != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static int toInt(byte[] b) {
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static long toLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    @Override
    public String toString() {
        return cidrs.toString();
    }
}
