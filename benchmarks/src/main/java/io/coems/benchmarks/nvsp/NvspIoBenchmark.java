package io.coems.benchmarks.nvsp;

import io.coems.benchmarks.matrix.Fixtures;
import io.coems.matrix.Blocks;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.client.ClientOptions;
import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteVolume;
import io.coems.nvsp.server.ClientKeys;
import io.coems.nvsp.server.NvspServer;
import io.coems.vvm.Client;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Block I/O over NVSP on loopback next to the same I/O on the local {@link Volume}, in one run:
 * 64 KiB and 4 KiB reads and writes, sequential and random, over 256 MiB that each volume owns
 * (written once in setup), and 1 MiB reads and writes, which the client splits into 64 KiB
 * requests and pipelines. Each JMH thread is one client with its own session and its own
 * volume ({@code -t 1} and {@code -t 4} for 1 and 4 clients; {@code target=LOCAL} threads use
 * their volumes directly). {@code datagram} is the maximum datagram the client proposes:
 * 1,408 bytes (fits an Ethernet MTU) or 8 KiB of payload per fragment (loopback allows it);
 * {@code mode} the protection ({@code -p mode=INTEGRITY_ONLY} for GMAC instead of encryption);
 * {@code transport} the server's and clients' sockets: {@code BATCHED} (UDP GSO/GRO, one system
 * call per 64 KiB; the fork enables native access for it) or {@code CHANNEL} (a
 * {@code DatagramChannel}, one call per datagram, what a JVM without native access gets).
 *
 * <p>Bytes per operation: {@code size}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NvspIoBenchmark {
    /** Most clients a run may use; each gets a volume. */
    static final int MAX_CLIENTS = 4;
    /** Data per volume: 256 MiB. */
    static final long BLOCKS = 4096;

    /** Where the I/O goes. */
    public enum Target { LOCAL, REMOTE }

    /** Order of the accesses. */
    public enum Pattern { SEQ, RANDOM }

    /** The sockets of server and clients. */
    public enum Transport { BATCHED, CHANNEL }

    /** The pool, its server and one volume and key per client, shared by the threads. */
    @State(Scope.Benchmark)
    public static class Served {
        @Param
        public Target target;

        /** Largest datagram: 1,408 bytes, or 8 KiB of payload + 40-byte header + 16-byte tag. */
        @Param({"1408", "8248"})
        public int datagram;

        /** Protection of the sessions: ENCRYPTED (the default) or INTEGRITY_ONLY (GMAC). */
        @Param({"ENCRYPTED"})
        public SecurityMode mode;

        @Param
        public Transport transport;

        Path dir;
        VolumePool pool;
        NvspServer server;
        final long[] clientIds = new long[MAX_CLIENTS];
        final byte[][] keys = new byte[MAX_CLIENTS][];
        final Volume[] volumes = new Volume[MAX_CLIENTS];

        @Setup
        public void setUp() {
            System.setProperty("coems.nvsp.batching", Boolean.toString(transport == Transport.BATCHED));
            dir = Fixtures.tempDir();
            pool = VolumePool.create(dir.resolve("pool"), PoolOptions.defaults().withFileBytes(2L << 30));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment chunk = Fixtures.randomBuffer(arena, Blocks.bytes(16), 1);
                for (int i = 0; i < MAX_CLIENTS; i++) {
                    Client c = pool.clients().register("bench-" + i, "", "", Map.of(), Map.of());
                    keys[i] = ClientKeys.newKey();
                    ClientKeys.grant(pool.clients(), c.id(), keys[i], false);
                    clientIds[i] = c.id();
                    volumes[i] = pool.createVolume("bench-" + i, Blocks.bytes(BLOCKS));
                    pool.clients().assign(volumes[i], c.id());
                    for (long b = 0; b < BLOCKS; b += 16) {
                        volumes[i].write(Blocks.bytes(b), chunk);
                    }
                }
            }
            pool.flush();
            server = NvspServer.builder(pool).port(0).build().start();
        }

        @TearDown
        public void tearDown() {
            Fixtures.closeAll(server, pool);
            Fixtures.deleteTree(dir);
        }
    }

    /** One client: its session (REMOTE) or its local volume, its buffer and its position. */
    @State(Scope.Thread)
    public static class Client0 {
        /** Bytes per access; 1 MiB is sent as 16 pipelined 64 KiB requests (LOCAL: one call). */
        @Param({"65536", "4096", "1048576"})
        public int size;

        @Param
        public Pattern pattern;

        Arena arena;
        MemorySegment buffer;
        NvspClient client;
        RemoteVolume remote;
        Volume local;
        Fixtures.Offsets offsets;

        @Setup(Level.Trial)
        public void setUp(Served served, ThreadParams thread) {
            int i = thread.getThreadIndex();
            if (i >= MAX_CLIENTS) {
                throw new IllegalStateException("at most " + MAX_CLIENTS + " threads (clients)");
            }
            arena = Arena.ofShared();
            buffer = Fixtures.randomBuffer(arena, size, 3 + i);
            offsets = new Fixtures.Offsets(pattern == Pattern.SEQ, Blocks.bytes(BLOCKS) / size, size, 42 + i);
            local = served.volumes[i];
            if (served.target == Target.REMOTE) {
                client = NvspClient.connect(ClientOptions.builder(served.server.address(), served.clientIds[i],
                        served.keys[i]).maxDatagram(served.datagram).securityMode(served.mode)
                        .requestTimeout(Duration.ofSeconds(30)).build());
                remote = client.volume(local.id());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            Fixtures.closeAll(client, arena);
        }

    }

    @Benchmark
    public void read(Client0 c) {
        long offset = c.offsets.next();
        if (c.remote != null) {
            c.remote.read(offset, c.buffer);
        } else {
            c.local.read(offset, c.buffer);
        }
    }

    @Benchmark
    public void write(Client0 c) {
        long offset = c.offsets.next();
        if (c.remote != null) {
            c.remote.write(offset, c.buffer);
        } else {
            c.local.write(offset, c.buffer);
        }
    }
}
