package dev.capstan.node.http;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The one HTTP client nodes use: asynchronous (no thread waits on a socket), no redirects (a redirect could
 * lead past the address policy), HTTP/1.1 so test servers and providers behave alike.
 */
public class OutboundHttp {

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public HttpClient client() {
        return client;
    }
}
