package dev.capstan.common.openwop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The OpenWOP conformance fixtures shipped with Capstan (see {@code openwop/fixtures/NOTICE.md}):
 * run-service seeds them into a tenant and the gateway lists their ids in discovery.
 */
public final class ConformanceFixtures {

    private static final String ROOT = "/openwop/fixtures/";

    private ConformanceFixtures() {
    }

    /** Every fixture id, e.g. {@code conformance-noop}. */
    public static List<String> ids() {
        return read("index.txt").lines().map(String::strip).filter(id -> !id.isEmpty()).toList();
    }

    /** The fixture's workflow definition (OpenWOP JSON). */
    public static String definition(String id) {
        if (!ids().contains(id)) {
            throw new IllegalArgumentException("No conformance fixture " + id);
        }
        return read(id + ".json");
    }

    private static String read(String name) {
        try (InputStream in = ConformanceFixtures.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + ROOT + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
