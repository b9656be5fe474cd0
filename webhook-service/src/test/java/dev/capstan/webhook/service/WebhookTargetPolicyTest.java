package dev.capstan.webhook.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookTargetPolicyTest {

    private final WebhookTargetPolicy strict = new WebhookTargetPolicy(false);
    private final WebhookTargetPolicy permissive = new WebhookTargetPolicy(true);

    @ParameterizedTest
    @ValueSource(strings = {
        "http://hooks.example.com/x",
        "https://localhost/x",
        "https://api.localhost:8443/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://172.16.0.1/x",
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/x",
        "https://0.0.0.0/x",
        "https://[::1]/x",
        "https://[fd00::1]/x",
        "https://[fe80::1]/x",
        "https://metadata.google.internal/x",
    })
    void internalOrPlainHttpTargetsAreRejectedByDefault(String url) {
        assertThat(strict.malformed(url)).isEmpty();
        assertThat(strict.rejection(url)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/x", "https://8.8.8.8/x", "https://[2001:4860:4860::8888]/x"})
    void publicHttpsTargetsAreAccepted(String url) {
        assertThat(strict.malformed(url)).isEmpty();
        assertThat(strict.rejection(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9000/hook", "http://localhost/x"})
    void theAllowanceLetsLocalTargetsThrough(String url) {
        assertThat(permissive.rejection(url)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "'', url is required",
        "not a url, url is not a valid URL",
        "/relative/path, url must be an absolute URL with a host",
        "ftp://example.com/x, url must use https",
    })
    void malformedUrlsAreNamed(String url, String problem) {
        assertThat(strict.malformed(url)).contains(problem);
    }
}
