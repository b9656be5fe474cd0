package dev.capstan.webhook.service;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether a webhook URL may be registered. Without the private-targets allowance only https
 * to public hosts passes: loopback, private (RFC 1918, ULA), link-local, CGNAT and cloud metadata
 * addresses are refused, so that webhooks cannot be turned against the platform's own network.
 * Host names are resolved again and pinned at delivery time ({@code client.DeliveryTarget}); here only literals
 * and known names are checked.
 */
public final class WebhookTargetPolicy {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final boolean allowPrivateTargets;

    public WebhookTargetPolicy(boolean allowPrivateTargets) {
        this.allowPrivateTargets = allowPrivateTargets;
    }

    /** A problem with the URL's form (400 validation_error), or empty when it is well-formed. */
    public Optional<String> malformed(String url) {
        if (url == null || url.isBlank()) {
            return Optional.of("url is required");
        }
        try {
            URI uri = new URI(url);
            if (!uri.isAbsolute() || uri.getHost() == null) {
                return Optional.of("url must be an absolute URL with a host");
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                return Optional.of("url must use https");
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("url is not a valid URL");
        }
    }

    /** Why a well-formed URL is refused (400 webhook_url_rejected), or empty when it is allowed. */
    public Optional<String> rejection(String url) {
        if (allowPrivateTargets) {
            return Optional.empty();
        }
        URI uri = URI.create(url);
        if (!uri.getScheme().equalsIgnoreCase("https")) {
            return Optional.of("only https endpoints are accepted");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (internalName(host)) {
            return Optional.of("the host " + host + " is internal");
        }
        if (IPV4.matcher(host).matches() || host.contains(":")) {
            return literalRejection(host);
        }
        return Optional.empty();
    }

    /** Names that always mean the platform's own network, whatever they resolve to. */
    public static boolean internalName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("metadata") || h.endsWith(".internal");
    }

    /** Loopback, private (RFC 1918, ULA), link-local (incl. metadata), CGNAT, unspecified or multicast. */
    public static boolean isPrivate(InetAddress address) {
        byte[] bytes = address.getAddress();
        boolean uniqueLocal = bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
        boolean carrierGradeNat = bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
        return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress() || uniqueLocal || carrierGradeNat;
    }

    private static Optional<String> literalRejection(String literal) {
        InetAddress address;
        try {
            // A literal address: no name lookup happens.
            address = InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            return Optional.of("the host is not a valid address");
        }
        if (isPrivate(address)) {
            return Optional.of("the address " + literal + " is private, loopback, link-local or metadata");
        }
        return Optional.empty();
    }
}
