package dev.capstan.cli.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The bundled demo workflow, copied out of the classpath. */
public final class Demo {

    private Demo() {
    }

    public static Path workflow(Path dir) throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream("/demo/order-api.osop.yaml")) {
            Path p = dir.resolve("order-api.osop.yaml");
            Files.write(p, in.readAllBytes());
            return p;
        }
    }
}
