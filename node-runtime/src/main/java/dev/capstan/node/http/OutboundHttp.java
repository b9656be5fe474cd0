package dev.capstan.node.http;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The one HTTP client nodes use: asynchronous (no thread waits on a socket), no redirects (a redirect could
 * lead past the address policy), HTTP/1.1 so test servers and providers behave alike.
 */
public class OutboundHttp {

    private static final boolean HOST_HEADER_ALLOWED;

    static {
        // Pinning a plain-http request to a checked address sends the original name as Host, a header the JDK
        // client restricts unless this is set before its classes initialise (the property is read once).
        String restricted = System.getProperty("jdk.httpclient.allowRestrictedHeaders", "");
        if (!restricted.toLowerCase(java.util.Locale.ROOT).contains("host")) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", restricted.isBlank() ? "host" : restricted + ",host");
        }
        boolean allowed;
        try {
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1/")).header("Host", "probe");
            allowed = true;
        } catch (IllegalArgumentException tooLate) {
            // Something loaded the client before us: requests are checked but not pinned (see PinnedTarget).
            allowed = false;
        }
        HOST_HEADER_ALLOWED = allowed;
    }

    /** Whether requests can carry their own Host header, which pinning needs. */
    public static boolean hostHeaderAllowed() {
        return HOST_HEADER_ALLOWED;
    }

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public HttpClient client() {
        return client;
    }
}
