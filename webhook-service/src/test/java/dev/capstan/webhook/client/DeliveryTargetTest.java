package dev.capstan.webhook.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeliveryTargetTest {

    private static DeliveryTarget.Resolver answering(String... addresses) {
        return host -> {
            InetAddress[] out = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                out[i] = InetAddress.getByName(addresses[i]);
            }
            return out;
        };
    }

    @Test
    void aPublicNameIsPinnedToTheAddressThatWasChecked() {
        DeliveryTarget t = DeliveryTarget.of("https://hooks.example.com:8443/in?x=1", false, answering("93.184.216.34"));
        assertThat(t.address().getHostAddress()).isEqualTo("93.184.216.34");
        assertThat(t.host()).isEqualTo("hooks.example.com");
        assertThat(t.port()).isEqualTo(8443);
        assertThat(t.path()).isEqualTo("/in?x=1");
        assertThat(t.https()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "fd00::1", "100.64.1.1"})
    void aNameThatNowResolvesToAPrivateAddressIsRefused(String address) {
        // Passed registration as a public name; its DNS answer changed since (rebinding).
        assertThatThrownBy(() -> DeliveryTarget.of("https://hooks.example.com/in", false, answering("93.184.216.34", address)))
                .isInstanceOf(DeliveryTarget.Refused.class).hasMessageContaining("hooks.example.com");
    }

    @Test
    void plainHttpInternalNamesAndUnresolvableHostsAreRefused() {
        assertThatThrownBy(() -> DeliveryTarget.of("http://hooks.example.com/in", false, answering("93.184.216.34")))
                .isInstanceOf(DeliveryTarget.Refused.class);
        assertThatThrownBy(() -> DeliveryTarget.of("https://metadata.google.internal/x", false, answering("93.184.216.34")))
                .isInstanceOf(DeliveryTarget.Refused.class);
        assertThatThrownBy(() -> DeliveryTarget.of("https://nowhere.example/x", false, host -> {
            throw new UnknownHostException(host);
        })).isInstanceOf(DeliveryTarget.Refused.class).hasMessageContaining("does not resolve");
    }

    @Test
    void theAllowanceLetsLoopbackOverHttpThrough() {
        DeliveryTarget t = DeliveryTarget.of("http://localhost:9000/hook", true, answering("127.0.0.1"));
        assertThat(t.address().isLoopbackAddress()).isTrue();
        assertThat(t.https()).isFalse();
        assertThat(t.port()).isEqualTo(9000);
    }
}
