package dev.capstan.webhook.client;

import dev.capstan.webhook.service.WebhookTargetPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where one delivery goes, decided once per attempt: the URL's host is resolved again (a name that passed at
 * registration may point elsewhere now), every address is checked against the SSRF policy unless private
 * targets are allowed, and the connection is made to the first checked address, so a DNS answer that changes
 * between the check and the connection (rebinding) cannot reach a private address. The HTTP client keeps the
 * URL's host for the {@code Host} header, TLS server name and certificate check, so https is pinned too.
 *
 * @param address the checked address to connect to
 * @param https   whether to use TLS
 * @param host    the URL's host (Host header, SNI, certificate name)
 * @param port    the URL's port, or the scheme's default
 * @param path    path and query to request
 */
public record DeliveryTarget(InetAddress address, boolean https, String host, int port, String path) {

    /** The target is refused; the reason names the host, never a secret. */
    public static final class Refused extends RuntimeException {
        public Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Name resolution; blocking, so the caller runs it off the event loop. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public static DeliveryTarget of(String url, boolean privateAllowed, Resolver resolver) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new Refused("the URL is not valid");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new Refused("the URL is not an absolute http(s) URL");
        }
        if (!privateAllowed && !scheme.equals("https")) {
            throw new Refused("only https endpoints are delivered to");
        }
        String host = uri.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!privateAllowed && WebhookTargetPolicy.internalName(bare)) {
            throw new Refused("the host " + bare + " is internal");
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
                if (WebhookTargetPolicy.isPrivate(a)) {
                    throw new Refused("the host " + bare + " resolves to a private, loopback, link-local or metadata address");
                }
            }
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new DeliveryTarget(addresses[0], https, bare, port, path);
    }
}
