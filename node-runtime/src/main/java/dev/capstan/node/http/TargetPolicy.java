package dev.capstan.node.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Refuses outbound calls to the platform's own network: loopback, private (RFC 1918, ULA), link-local (which
 * holds the cloud metadata address 169.254.169.254), CGNAT, unspecified and multicast addresses, after name
 * resolution. Resolution happens on a worker thread, never the event loop.
 */
public final class TargetPolicy {

    private TargetPolicy() {
    }

    /** Why the host is refused, or empty when every address it resolves to is public. */
    public static Optional<String> refusal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Optional<String> byName = refusalByName(h);
        if (byName.isPresent()) {
            return byName;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(h);
        } catch (UnknownHostException e) {
            return Optional.of("the host " + h + " does not resolve");
        }
        for (InetAddress a : addresses) {
            if (isPrivate(a)) {
                return Optional.of("the host " + h + " resolves to a private, loopback, link-local or metadata address");
            }
        }
        return Optional.empty();
    }

    /** Refusals decided by the name alone (metadata and {@code *.internal} names), before any resolution. */
    public static Optional<String> refusalByName(String h) {
        if (h.equalsIgnoreCase("metadata.google.internal") || h.toLowerCase(java.util.Locale.ROOT).endsWith(".internal")) {
            return Optional.of("the host " + h + " is a metadata or internal name");
        }
        return Optional.empty();
    }

    public static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        boolean uniqueLocal = b.length == 16 && (b[0] & 0xfe) == 0xfc;
        boolean carrierGradeNat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress() || uniqueLocal || carrierGradeNat;
    }
}
