package io.coems.sfs;

import io.coems.matrix.device.MemoryDevice;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Descriptors against a map: create, update, free, reopen; ids reused lowest first with a new generation. */
class DescriptorProperties {

    sealed interface Op permits Create, Update, Free, Reopen {
    }

    record Create(int type, int length, long seed) implements Op {
    }

    record Update(int which, int length, long seed) implements Op {
    }

    record Free(int which) implements Op {
    }

    record Reopen() implements Op {
    }

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Integer> length = Arbitraries.integers().between(0, 2036);
        return Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(Arbitraries.of(Descriptor.VOLUME, Descriptor.CLIENT, 7), length,
                        Arbitraries.longs()).as(Create::new)),
                Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, 99), length, Arbitraries.longs())
                        .as(Update::new)),
                Tuple.of(3, Arbitraries.integers().between(0, 99).map(Free::new)),
                Tuple.of(1, Arbitraries.just(new Reopen())));
    }

    private static byte[] bytes(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Property(tries = 60)
    void descriptorsAgreeWithAMap(@ForAll @Size(min = 1, max = 120) List<@From("op") Op> ops) {
        MemoryDevice store = new MemoryDevice("desc", 512);
        SuperFileSystem[] fs = {SuperFileSystem.format(store, SfsModelProperties.SMALL)};
        Map<DescriptorId, Descriptor> model = new LinkedHashMap<>();
        List<DescriptorId> freed = new ArrayList<>();
        for (Op op : ops) {
            switch (op) {
                case Create c -> {
                    byte[] payload = bytes(c.length(), c.seed());
                    DescriptorId id = fs[0].createDescriptor(c.type(), MemorySegment.ofArray(payload));
                    int lowestFree = lowestFreeIndex(model);
                    assertEquals(lowestFree, id.index(), "the lowest free index is taken");
                    assertTrue(freed.stream().noneMatch(id::equals), "a freed id is never handed out again");
                    model.put(id, new Descriptor(id, c.type(), payload));
                }
                case Update u when !model.isEmpty() -> {
                    DescriptorId id = new ArrayList<>(model.keySet()).get(u.which() % model.size());
                    byte[] payload = bytes(u.length(), u.seed());
                    fs[0].updateDescriptor(id, MemorySegment.ofArray(payload));
                    model.put(id, new Descriptor(id, model.get(id).type(), payload));
                }
                case Free f when !model.isEmpty() -> {
                    DescriptorId id = new ArrayList<>(model.keySet()).get(f.which() % model.size());
                    fs[0].freeDescriptor(id);
                    model.remove(id);
                    freed.add(id);
                }
                case Reopen r -> {
                    fs[0].close();
                    fs[0] = SuperFileSystem.open(store, SfsModelProperties.SMALL);
                }
                default -> {
                }
            }
        }
        for (Descriptor expected : model.values()) {
            Descriptor got = fs[0].readDescriptor(expected.id());
            assertEquals(expected.type(), got.type());
            assertArrayEquals(expected.payload(), got.payload());
        }
        for (int type : new int[] {Descriptor.VOLUME, Descriptor.CLIENT, 7}) {
            List<DescriptorId> ofType = model.values().stream().filter(d -> d.type() == type).map(Descriptor::id)
                    .sorted((a, b) -> Integer.compare(a.index(), b.index())).toList();
            assertEquals(ofType, fs[0].descriptors(type));
        }
        for (DescriptorId id : freed) {
            if (!model.containsKey(id)) {
                assertThrows(SfsNotFoundException.class, () -> fs[0].readDescriptor(id));
            }
        }
        assertEquals(List.of(), fs[0].check());
        fs[0].close();
    }

    private static int lowestFreeIndex(Map<DescriptorId, Descriptor> live) {
        int i = 0;
        while (true) {
            int index = i;
            if (live.keySet().stream().noneMatch(id -> id.index() == index)) {
                return i;
            }
            i++;
        }
    }

    @Test
    void badDescriptorsAreRefused() {
        try (SuperFileSystem fs = SuperFileSystem.format(new MemoryDevice("bad", 512), SfsModelProperties.SMALL)) {
            assertThrows(SfsArgumentException.class, () -> fs.createDescriptor(0, MemorySegment.ofArray(new byte[1])));
            assertThrows(SfsArgumentException.class, () -> fs.createDescriptor(70000, MemorySegment.ofArray(new byte[1])));
            SfsArgumentException big = assertThrows(SfsArgumentException.class,
                    () -> fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(new byte[2037])));
            assertTrue(big.getMessage().contains("2037"));
            assertThrows(SfsNotFoundException.class, () -> fs.readDescriptor(new DescriptorId(5, 1)));
            DescriptorId id = fs.createDescriptor(Descriptor.CLIENT, MemorySegment.ofArray(new byte[3]));
            assertThrows(SfsArgumentException.class, () -> fs.updateDescriptor(id, MemorySegment.ofArray(new byte[4000])));
            assertArrayEquals(new byte[3], fs.readDescriptor(id).payload(), "the refused update changed nothing");
            assertEquals(List.of(), fs.check());
        }
    }
}
