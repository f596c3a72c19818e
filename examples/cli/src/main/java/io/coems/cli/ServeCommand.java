package io.coems.cli;

import io.coems.nbd.NbdServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code coems serve}: serve the pool's volumes to clients until stopped. */
@Command(name = "serve", description = "Serve the pool's volumes over the network until stopped.")
final class ServeCommand {
    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Command(name = "nbd", description = {"Serve every volume read-write and every snapshot read-only "
            + "(as VOLUME@SNAPSHOT) over NBD until Ctrl-C or SIGTERM, then close the pool (exit code 0).",
            "Prints the address, the port and the exports (with --json: one document) once listening."})
    int nbd(
            @Option(names = "--address", paramLabel = "A", defaultValue = "127.0.0.1",
                    description = "The address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
            String address,
            @Option(names = "--port", paramLabel = "P", defaultValue = "" + NbdServer.DEFAULT_PORT,
                    description = "The port to listen on (default ${DEFAULT-VALUE}; 0 for any free one).")
            int port) {
        if (port < 0 || port > 65535) {
            throw Coems.usage(spec, "port " + port + " is not from 0 to 65535");
        }
        InetAddress bind;
        try {
            bind = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw Coems.usage(spec, "unknown address '" + address + "'");
        }
        return coems.withPool(spec, pool -> {
            CountDownLatch stop = new CountDownLatch(1);
            List<String> handled = Stops.onSignals(stop);
            NbdServer server;
            try {
                server = NbdServer.builder(pool).bindAddress(bind).port(port).build().start();
            } catch (UncheckedIOException e) {
                throw new Coems.Failure(e.getMessage() + ": " + e.getCause().getMessage());
            }
            try (server) {
                String host = server.address().getAddress().getHostAddress();
                String uri = "nbd://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
                List<String> exports = server.exports();
                if (coems.output().json()) {
                    Map<String, Object> info = new LinkedHashMap<>();
                    info.put("address", host);
                    info.put("port", (long) server.port());
                    info.put("uri", uri);
                    info.put("exports", exports);
                    coems.output().writeJson(info);
                } else {
                    coems.output().line("serving pool " + coems.poolDirectory(spec) + " on " + uri + " ("
                            + (handled.isEmpty() ? "kill the process" : "Ctrl-C or SIGTERM") + " stops)");
                    Table t = new Table("EXPORT", "URI");
                    exports.forEach(e -> t.row(e, uri + "/" + e));
                    coems.output().table(t);
                }
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!coems.output().json()) {
                coems.output().line("stopped serving pool " + coems.poolDirectory(spec));
            }
            return 0;
        });
    }

    /** Turns SIGINT and SIGTERM into a count down, so that the server and pool close in order and the command ends well. */
    static final class Stops {
        private Stops() {
        }

        /** Counts {@code stop} down on SIGINT and SIGTERM; returns the signals handled (none where the JVM refuses). */
        @SuppressWarnings("restriction")
        static List<String> onSignals(CountDownLatch stop) {
            List<String> handled = new java.util.ArrayList<>();
            for (String name : List.of("INT", "TERM")) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.countDown());
                    handled.add(name);
                } catch (IllegalArgumentException | UnsupportedOperationException e) {
                    // -Xrs or a platform without it: the JVM's own handling ends the process.
                }
            }
            return handled;
        }
    }
}
