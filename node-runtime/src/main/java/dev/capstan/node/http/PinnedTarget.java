package dev.capstan.node.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where an HTTP node's request goes, decided once: the host is resolved a single time, every address is checked
 * against {@link TargetPolicy} (unless the tenant may reach private targets), and a plain-http request is sent to
 * the checked address with the original {@code Host} header, so a DNS answer that changes between the check and
 * the connection (rebinding) cannot reach a private address.
 *
 * <p>https is not pinned: the JDK client takes the TLS server name and the name it verifies from the URI, so an
 * IP in the URI would break both. For https the addresses are checked and the client resolves again; the JVM's
 * address cache (30 s by default) usually returns the checked answer, but that is not a guarantee.
 *
 * @param uri        the URI to send to (the address in place of the host when pinned)
 * @param hostHeader the {@code Host} header to send when pinned, else null
 * @param address    the checked address the request is pinned to, else null
 */
public record PinnedTarget(URI uri, String hostHeader, InetAddress address) {

    /** Thrown when the target is refused; {@code reason} never contains a secret (only the host name). */
    public static final class Refused extends RuntimeException {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    public boolean pinned() {
        return hostHeader != null;
    }

    public static PinnedTarget of(URI uri, boolean privateAllowed, HostResolver resolver) {
        String host = uri.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!privateAllowed) {
            Optional<String> byName = TargetPolicy.refusalByName(bare);
            if (byName.isPresent()) {
                throw new Refused(byName.get());
            }
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new Refused("the host " + bare + " does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("the host " + bare + " does not resolve");
        }
        if (!privateAllowed) {
            for (InetAddress a : addresses) {
                if (TargetPolicy.isPrivate(a)) {
                    throw new Refused("the host " + bare + " resolves to a private, loopback, link-local or metadata address");
                }
            }
        }
        boolean literal = isLiteral(bare);
        if (literal || !"http".equals(uri.getScheme().toLowerCase(Locale.ROOT)) || !OutboundHttp.hostHeaderAllowed()) {
            return new PinnedTarget(uri, null, null);
        }
        InetAddress chosen = addresses[0];
        String ip = chosen instanceof Inet6Address ? "[" + chosen.getHostAddress().replaceAll("%.*$", "") + "]"
                : chosen.getHostAddress();
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        String rest = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new PinnedTarget(URI.create("http://" + ip + port + rest), host + port, chosen);
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }
}
