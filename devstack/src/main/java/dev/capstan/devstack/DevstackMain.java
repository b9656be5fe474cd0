package dev.capstan.devstack;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one piece of the local platform's infrastructure in the foreground until the process is told
 * to stop (SIGTERM / Ctrl-C), then shuts it down cleanly.
 *
 * <pre>
 * postgres --port 15432 --data .capstan/postgres --databases capstan_run,capstan_webhook
 * kafka    --port 19092 --controller-port 19093 --data .capstan/kafka
 * </pre>
 */
public final class DevstackMain {

    private DevstackMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return;
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
        AutoCloseable running = switch (args[0]) {
            case "postgres" -> startPostgres(options);
            case "kafka" -> startKafka(options);
            default -> {
                usage();
                yield null;
            }
        };
        if (running == null) {
            System.exit(2);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println(args[0] + " did not stop cleanly: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "devstack-shutdown"));
        System.out.println("READY " + args[0]);
        System.out.flush();
        stopped.await();
    }

    private static AutoCloseable startPostgres(Map<String, String> options) throws Exception {
        PostgresServer server = PostgresServer.startPersistent(
                Integer.parseInt(require(options, "port")), Path.of(require(options, "data")));
        for (String database : List.of(options.getOrDefault("databases", "").split(","))) {
            if (!database.isBlank()) {
                server.ensureDatabase(database.trim());
            }
        }
        System.out.println("PostgreSQL listening on localhost:" + server.port());
        return server;
    }

    private static AutoCloseable startKafka(Map<String, String> options) throws Exception {
        KafkaBroker broker = KafkaBroker.start(
                Integer.parseInt(require(options, "port")),
                Integer.parseInt(require(options, "controller-port")),
                Path.of(require(options, "data")));
        System.out.println("Kafka listening on " + broker.bootstrapServers());
        return broker;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Expected an option, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Missing --" + name);
        }
        return value;
    }

    private static void usage() {
        System.err.println("usage: DevstackMain postgres --port P --data DIR [--databases a,b]");
        System.err.println("       DevstackMain kafka --port P --controller-port C --data DIR");
    }
}
