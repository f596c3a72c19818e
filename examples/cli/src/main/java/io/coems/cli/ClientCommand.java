package io.coems.cli;

import io.coems.vvm.Client;
import io.coems.vvm.PoolNotFoundException;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code coems client}: the machines that use the pool's volumes. */
@Command(name = "client", description = "Register, list and remove clients, and assign volumes to them.")
final class ClientCommand {
    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Command(name = "register", description = "Register a client by name, MAC and IP address.")
    int register(@Parameters(paramLabel = "NAME") String name,
            @Option(names = "--mac", required = true, paramLabel = "MAC", description = "e.g. 52:54:00:00:00:01")
            String mac,
            @Option(names = "--ip", required = true, paramLabel = "IP", description = "An IPv4 or IPv6 address literal.")
            String ip,
            @Option(names = "--hw", paramLabel = "KEY=VALUE", description = "Hardware description (cpu, memory, ...).")
            Map<String, String> hardware) {
        return coems.withPool(spec, pool -> {
            Client c = pool.clients().register(name, mac, ip, hardware == null ? Map.of() : hardware, Map.of());
            if (coems.output().json()) {
                coems.output().writeJson(view(pool, c));
            } else {
                coems.output().line("registered client " + c.name() + " (" + c.mac() + ", " + c.ip() + ", id "
                        + Coems.id(c.id()) + ")");
            }
            return 0;
        });
    }

    @Command(name = "list", description = "List the clients and their volumes.")
    int list() {
        return coems.withPool(spec, pool -> {
            List<Client> clients = pool.clients().clients();
            if (coems.output().json()) {
                coems.output().writeJson(clients.stream().map(c -> view(pool, c)).toList());
            } else if (clients.isEmpty()) {
                coems.output().line("no clients");
            } else {
                Table t = new Table("NAME", "ID", "MAC", "IP", "VOLUMES");
                for (Client c : clients) {
                    List<String> volumes = pool.clients().volumesOf(c.id()).stream().map(Volume::name).toList();
                    t.row(c.name(), Coems.id(c.id()), c.mac(), c.ip(), volumes.isEmpty() ? null : String.join(",", volumes));
                }
                coems.output().table(t);
            }
            return 0;
        });
    }

    @Command(name = "assign", description = "Assign a volume to a client (replacing the volume's earlier assignment).")
    int assign(@Parameters(paramLabel = "CLIENT") String client, @Parameters(paramLabel = "VOLUME") String volume) {
        return coems.withPool(spec, pool -> {
            Client c = client(pool, client);
            Volume v = pool.volume(volume);
            pool.clients().assign(v, c.id());
            if (coems.output().json()) {
                coems.output().writeJson(view(pool, c));
            } else {
                coems.output().line("assigned volume " + v.name() + " to client " + c.name());
            }
            return 0;
        });
    }

    @Command(name = "remove", description = "Remove a client; its volumes stay, unassigned.")
    int remove(@Parameters(paramLabel = "CLIENT") String client) {
        return coems.withPool(spec, pool -> {
            Client c = client(pool, client);
            pool.clients().remove(c.id());
            if (coems.output().json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("removed", c.name());
                result.put("id", c.id());
                coems.output().writeJson(result);
            } else {
                coems.output().line("removed client " + c.name());
            }
            return 0;
        });
    }

    private static Client client(VolumePool pool, String name) {
        return pool.clients().findByName(name)
                .orElseThrow(() -> new PoolNotFoundException("client \"" + name + "\" does not exist"));
    }

    private static Map<String, Object> view(VolumePool pool, Client c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("id", c.id());
        m.put("mac", c.mac());
        m.put("ip", c.ip());
        m.put("hardware", new TreeMap<>(c.hardware()));
        m.put("volumes", pool.clients().volumesOf(c.id()).stream().map(Volume::name).toList());
        return m;
    }
}
