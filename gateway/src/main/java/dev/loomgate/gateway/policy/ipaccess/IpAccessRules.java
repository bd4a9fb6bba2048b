package dev.loomgate.gateway.policy.ipaccess;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.net.IpBlocks;

/**
 * A route's {@code ip-access:} rules: the client address must be in {@code allow} (unless that is empty) and must
 * not be in {@code deny}; deny wins. Immutable.
 *
 * @param allow the only blocks admitted; empty: every address not denied is admitted
 * @param deny  blocks refused, whatever {@code allow} says
 */
public record IpAccessRules(IpBlocks allow, IpBlocks deny) {
    public IpAccessRules {
        Objects.requireNonNull(allow, "allow");
        Objects.requireNonNull(deny, "deny");
    }

    /**
     * @param clientIp the request's client address as text ({@code RequestView.clientIp()}); text that is not an
     *                 IP literal is refused, since no rule can be shown not to cover it
     */
    public boolean admits(String clientIp) {
        Optional<InetAddress> address = IpBlocks.literal(clientIp);
        return address.isPresent() && admits(address.get());
    }

    public boolean admits(InetAddress address) {
        if (deny.contains(address)) {
            return false;
        }
        return allow.isEmpty() || allow.contains(address);
    }
}
