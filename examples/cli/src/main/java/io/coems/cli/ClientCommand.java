package io.coems.cli;

import io.coems.nvsp.server.ClientKeys;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code coems client}: the machines that use the pool's volumes. */
@Command(name = "client", description = "Register, list and remove clients, and assign volumes to them.")
final class ClientCommand {
    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Command(name = "register", description = {"Register a client by name, and by MAC and IP address where known.",
            "A client that reaches the pool over NVSP needs a key: see 'client key'."})
    int register(@Parameters(paramLabel = "NAME") String name,
            @Option(names = "--mac", paramLabel = "MAC", defaultValue = "", description = "e.g. 52:54:00:00:00:01")
            String mac,
            @Option(names = "--ip", paramLabel = "IP", defaultValue = "", description = "An IPv4 or IPv6 address literal.")
            String ip,
            @Option(names = "--hw", paramLabel = "KEY=VALUE", description = "Hardware description (cpu, memory, ...).")
            Map<String, String> hardware) {
        return coems.withPool(spec, pool -> {
            Client c = pool.clients().register(name, mac, ip, hardware == null ? Map.of() : hardware, Map.of());
            if (coems.output().json()) {
                coems.output().writeJson(view(pool, c));
            } else {
                coems.output().line("registered client " + c.name() + " (" + known(c.mac()) + ", " + known(c.ip())
                        + ", id " + Coems.id(c.id()) + ")");
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
                Table t = new Table("NAME", "ID", "MAC", "IP", "KEY", "VOLUMES");
                for (Client c : clients) {
                    List<String> volumes = pool.clients().volumesOf(c.id()).stream().map(Volume::name).toList();
                    t.row(c.name(), Coems.id(c.id()), blankIsNull(c.mac()), blankIsNull(c.ip()), keyRole(c),
                            volumes.isEmpty() ? null : String.join(",", volumes));
                }
                coems.output().table(t);
            }
            return 0;
        });
    }

    @Command(name = "key", description = {"Give a client a new NVSP pre-shared key (32 random bytes), replacing "
            + "its old one; the key is printed in hex, or written to a file readable by its owner only.",
            "Sessions made with the old key last until they end; new ones need the new key."})
    int key(@Parameters(paramLabel = "CLIENT") String client,
            @Option(names = "--manager", description = "Let the client's sessions send management requests.")
            boolean manager,
            @Option(names = "--out", paramLabel = "FILE", description = "Write the key (hex) to FILE instead of printing it.")
            Path out) {
        return coems.withPool(spec, pool -> {
            Client c = client(pool, client);
            byte[] key = ClientKeys.newKey();
            String hex = HexFormat.of().formatHex(key);
            if (out != null) {
                writeSecret(out, hex + "\n");
            }
            c = ClientKeys.grant(pool.clients(), c.id(), key, manager);
            if (coems.output().json()) {
                Map<String, Object> m = view(pool, c);
                if (out == null) {
                    m.put("key", hex);
                } else {
                    m.put("keyFile", out.toString());
                }
                coems.output().writeJson(m);
            } else if (out == null) {
                coems.output().line(hex);
            } else {
                coems.output().line("wrote the " + (manager ? "manager " : "") + "key of client " + c.name() + " to " + out);
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

    /** Writes {@code text} to a new file that only its owner may read (where the file system has POSIX permissions). */
    private static void writeSecret(Path file, String text) {
        try {
            Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new Coems.Failure("cannot write the key to " + file + ": " + e.getMessage());
        }
    }

    /** "manager" or "yes" if the client holds an NVSP key, else null. */
    private static String keyRole(Client c) {
        return ClientKeys.key(c).isEmpty() ? null : ClientKeys.isManager(c) ? "manager" : "yes";
    }

    private static String blankIsNull(String s) {
        return s.isEmpty() ? null : s;
    }

    private static String known(String s) {
        return s.isEmpty() ? "-" : s;
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
        m.put("nvspKey", ClientKeys.key(c).isPresent());
        m.put("manager", ClientKeys.isManager(c));
        m.put("volumes", pool.clients().volumesOf(c.id()).stream().map(Volume::name).toList());
        return m;
    }
}
