package dev.loomgate.gateway.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.net.IpBlocks;

/**
 * The peers whose {@code X-Forwarded-*} and {@code Forwarded} headers are believed: a set of CIDR blocks,
 * IPv4 and IPv6 ({@link IpBlocks}: no allocation per match, never a DNS lookup for text).
 */
public final class TrustedProxies {
    private static final TrustedProxies NONE = new TrustedProxies(IpBlocks.none());

    private final IpBlocks blocks;

    private TrustedProxies(IpBlocks blocks) {
        this.blocks = blocks;
    }

    /** Trusts nobody: every peer's forwarded headers are replaced. */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * @param cidrs blocks like {@code 10.0.0.0/8}, {@code 127.0.0.1/32}, {@code fd00::/8}; a bare address is /32 or /128
     * @throws IllegalArgumentException naming the bad entry
     */
    public static TrustedProxies of(List<String> cidrs) {
        return cidrs.isEmpty() ? NONE : new TrustedProxies(IpBlocks.of(cidrs));
    }

    /** The blocks as configured. */
    public List<String> cidrs() {
        return blocks.cidrs();
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean contains(InetAddress a) {
        return blocks.contains(a);
    }

    /** An IP literal, never a name lookup ({@link IpBlocks#literal}). */
    public static Optional<InetAddress> literal(String text) {
        return IpBlocks.literal(text);
    }

    @Override
    public String toString() {
        return blocks.toString();
    }
}
