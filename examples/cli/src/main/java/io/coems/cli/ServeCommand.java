package io.coems.cli;

import io.coems.nbd.NbdServer;
import io.coems.nvsp.server.ClientKeys;
import io.coems.nvsp.server.NvspServer;
import io.coems.vvm.Client;
import io.coems.vvm.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

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
        InetAddress bind = bindAddress(address, port);
        return coems.withPool(spec, pool -> {
            NbdServer server = started(() -> NbdServer.builder(pool).bindAddress(bind).port(port).build().start());
            return serveUntilStopped(server, () -> {
                String uri = uri("nbd", server.address().getAddress(), server.port());
                List<String> exports = server.exports();
                Table t = new Table("EXPORT", "URI");
                exports.forEach(e -> t.row(e, uri + "/" + e));
                return new Announcement(server.address(), uri, null, "exports", exports, t);
            });
        });
    }

    @Command(name = "nvsp", description = {"Serve the volumes to their clients over NVSP (UDP) until Ctrl-C or "
            + "SIGTERM, then finish the requests in flight, flush and close the pool (exit code 0).",
            "A client reaches the volumes assigned to it, with the key 'client key' gave it; a client with a "
            + "manager key may also manage the pool under the management lease.",
            "Prints the address, the port and the clients holding keys (with --json: one document) once listening."})
    int nvsp(
            @Option(names = "--address", paramLabel = "A", defaultValue = "127.0.0.1",
                    description = "The address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
            String address,
            @Option(names = "--port", paramLabel = "P", defaultValue = "" + NvspServer.DEFAULT_PORT,
                    description = "The UDP port to listen on (default ${DEFAULT-VALUE}; 0 for any free one).")
            int port,
            @Option(names = "--workers", paramLabel = "N", description = "Threads executing requests (default: the cores, at least 2).")
            Integer workers,
            @Option(names = "--credits", paramLabel = "N", defaultValue = "" + NvspServer.DEFAULT_CREDITS,
                    description = "Requests one session may have in flight (default ${DEFAULT-VALUE}).")
            int credits) {
        InetAddress bind = bindAddress(address, port);
        if (credits < 1) {
            throw Coems.usage(spec, "credits " + credits + " is not at least 1");
        }
        if (workers != null && workers < 1) {
            throw Coems.usage(spec, "workers " + workers + " is not at least 1");
        }
        return coems.withPool(spec, pool -> {
            NvspServer.Builder b = NvspServer.builder(pool).bindAddress(bind).port(port).credits(credits);
            if (workers != null) {
                b.workers(workers);
            }
            NvspServer server = started(() -> b.build().start());
            return serveUntilStopped(server, () -> {
                InetSocketAddress at = server.address();
                String uri = uri("nvsp", at.getAddress(), at.getPort());
                List<Map<String, Object>> clients = new ArrayList<>();
                Table t = new Table("CLIENT", "ID", "ROLE", "VOLUMES");
                for (Client c : pool.clients().clients()) {
                    if (ClientKeys.key(c).isPresent()) {
                        List<String> volumes = pool.clients().volumesOf(c.id()).stream().map(Volume::name).toList();
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", c.name());
                        m.put("id", c.id());
                        m.put("manager", ClientKeys.isManager(c));
                        m.put("volumes", volumes);
                        clients.add(m);
                        t.row(c.name(), Coems.id(c.id()), ClientKeys.isManager(c) ? "manager" : "client",
                                volumes.isEmpty() ? null : String.join(",", volumes));
                    }
                }
                return new Announcement(at, uri, server.batchedIo() ? "batched" : "per-datagram", "clients", clients, t);
            });
        });
    }

    private InetAddress bindAddress(String address, int port) {
        if (port < 0 || port > 65535) {
            throw Coems.usage(spec, "port " + port + " is not from 0 to 65535");
        }
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw Coems.usage(spec, "unknown address '" + address + "'");
        }
    }

    /** Starts a server, turning a failure to bind into a one-line failure. */
    private static <S> S started(Supplier<S> start) {
        try {
            return start.get();
        } catch (UncheckedIOException e) {
            throw new Coems.Failure(e.getMessage() + ": " + e.getCause().getMessage());
        }
    }

    private static String uri(String scheme, InetAddress address, int port) {
        String host = address.getHostAddress();
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** What a started server tells: where it listens and what it serves, as a list (JSON) and a table. */
    /** What a started server announces; {@code io} the NVSP datagram I/O ("batched" or "per-datagram"), else null. */
    private record Announcement(InetSocketAddress at, String uri, String io, String listName, List<?> list,
            Table table) {
    }

    /**
     * Announces a started server (one JSON document, or a line and its table), serves until
     * SIGINT or SIGTERM, then closes the server (the caller closes the pool).
     */
    private int serveUntilStopped(AutoCloseable server, Supplier<Announcement> announcement) {
        CountDownLatch stop = new CountDownLatch(1);
        List<String> handled = Stops.onSignals(stop);
        try (server) {
            Announcement a = announcement.get();
            if (coems.output().json()) {
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("address", a.at().getAddress().getHostAddress());
                info.put("port", (long) a.at().getPort());
                info.put("uri", a.uri());
                if (a.io() != null) {
                    info.put("io", a.io());
                }
                info.put(a.listName(), a.list());
                coems.output().writeJson(info);
            } else {
                coems.output().line("serving pool " + coems.poolDirectory(spec) + " on " + a.uri()
                        + (a.io() == null ? "" : ", " + a.io() + " datagram I/O") + " ("
                        + (handled.isEmpty() ? "kill the process" : "Ctrl-C or SIGTERM") + " stops)");
                if (a.table().size() > 0) {
                    coems.output().table(a.table());
                } else {
                    coems.output().line("no " + a.listName() + " yet");
                }
            }
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new Coems.Failure("closing the server: " + e.getMessage());
        }
        if (!coems.output().json()) {
            coems.output().line("stopped serving pool " + coems.poolDirectory(spec));
        }
        return 0;
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
