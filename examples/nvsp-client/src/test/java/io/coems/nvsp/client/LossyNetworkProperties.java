package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Random reads, writes, trims and write-zeroes through a fake server that drops, duplicates,
 * delays, corrupts and truncates datagrams both ways, against an in-memory model of the volume:
 * every read returns what the model holds. jqwik prints the seed of every run.
 */
class LossyNetworkProperties {
    private static final int SPAN = 1 << 20;

    sealed interface Op permits Write, Read, Trim, Zero {
    }

    record Write(int offset, int length, long seed) implements Op {
    }

    record Read(int offset, int length) implements Op {
    }

    record Trim(int offset, int length) implements Op {
    }

    record Zero(int offset, int length) implements Op {
    }

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Integer> offset = Arbitraries.integers().between(0, SPAN - 1);
        Arbitrary<Integer> length = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(1, 4096)),
                Tuple.of(2, Arbitraries.integers().between(4097, 200_000)));
        return Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(offset, length, Arbitraries.longs()).as(Write::new)),
                Tuple.of(4, Combinators.combine(offset, length).as(Read::new)),
                Tuple.of(1, Combinators.combine(offset, length).as(Trim::new)),
                Tuple.of(1, Combinators.combine(offset, length).as(Zero::new)));
    }

    @Property(tries = 12)
    void readsSeeEveryWriteDespiteLoss(@ForAll @Size(min = 1, max = 8) List<@From("op") Op> ops,
            @ForAll long lossSeed, @ForAll boolean jumbo) throws Exception {
        try (FakeServer server = new FakeServer(FakeServer.psk());
                NvspClient client = NvspClient.connect(server.options().maxDatagram(jumbo ? 9000 : 1408)
                        .requestTimeout(Duration.ofSeconds(20)).build())) {
            Random loss = new Random(lossSeed);
            server.inbound(p -> loss.nextInt(100) < 5 ? FakeServer.Fate.DROP : FakeServer.Fate.PASS);
            server.outbound(p -> switch (loss.nextInt(100)) {
                case 0, 1, 2, 3 -> FakeServer.Fate.DROP;
                case 4, 5 -> FakeServer.Fate.DUPLICATE;
                case 6, 7 -> FakeServer.Fate.DELAY;
                case 8 -> FakeServer.Fate.CORRUPT;
                case 9 -> FakeServer.Fate.TRUNCATE;
                default -> FakeServer.Fate.PASS;
            });
            byte[] model = new byte[FakeServer.VOLUME_SIZE];
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            for (Op op : ops) {
                switch (op) {
                    case Write w -> {
                        byte[] data = new byte[w.length()];
                        new Random(w.seed()).nextBytes(data);
                        volume.write(w.offset(), data, 0, data.length);
                        System.arraycopy(data, 0, model, w.offset(), data.length);
                    }
                    case Read r -> {
                        byte[] back = new byte[r.length()];
                        volume.read(r.offset(), back, 0, back.length);
                        assertArrayEquals(Arrays.copyOfRange(model, r.offset(), r.offset() + r.length()), back);
                    }
                    case Trim t -> {
                        volume.trim(t.offset(), t.length());
                        Arrays.fill(model, t.offset(), t.offset() + t.length(), (byte) 0);
                    }
                    case Zero z -> {
                        volume.writeZeroes(z.offset(), z.length(), true);
                        Arrays.fill(model, z.offset(), z.offset() + z.length(), (byte) 0);
                    }
                }
            }
            byte[] all = new byte[SPAN + 200_000];
            volume.read(0, all, 0, all.length);
            assertArrayEquals(Arrays.copyOf(model, all.length), all);
        }
    }
}
