package dev.capstan.cli.command;

import dev.capstan.cli.CliFailure;
import dev.capstan.cli.demo.DemoServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Serves the demo order API on loopback until stopped; {@code ./capstan demo} starts it. */
@Command(name = "demo-server", hidden = true, description = "Serve the demo order API on 127.0.0.1 until stopped.")
public final class DemoServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "0", description = "Port (0 picks a free one).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        DemoServer server;
        try {
            server = DemoServer.start(port);
        } catch (IOException e) {
            throw CliFailure.failed("cannot start the demo server on port " + port + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        // The script waits for this line and reads the address from it.
        out.println("READY demo-server " + server.baseUrl());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
