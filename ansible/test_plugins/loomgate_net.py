"""Address tests (`is loomgate_ipv4`, `is loomgate_in_subnet(cidr)`) for site.yml's pre-flight play, from the standard library (no netaddr on the
control node needed, unlike ansible.utils.ipaddr)."""
import ipaddress


def _ipv4(text):
    try:
        return ipaddress.IPv4Address(str(text).strip())
    except ValueError:
        return None


def loomgate_ipv4(text):
    """True when text is one IPv4 address."""
    return _ipv4(text) is not None


def loomgate_in_subnet(address, cidr):
    """True when address is a usable host address of the IPv4 network cidr (not its network or broadcast)."""
    ip = _ipv4(address)
    try:
        net = ipaddress.IPv4Network(str(cidr).strip(), strict=False)
    except ValueError:
        return False
    return ip is not None and ip in net and (net.prefixlen >= 31 or ip not in (net.network_address, net.broadcast_address))


class TestModule:
    def tests(self):
        return {"loomgate_ipv4": loomgate_ipv4, "loomgate_in_subnet": loomgate_in_subnet}
