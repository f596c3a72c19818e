package io.coems.vvm;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.ProgressListener;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MemoryDevice;
import io.coems.sfs.DescriptorId;
import io.coems.sfs.SfsOptions;
import io.coems.sfs.SuperFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.coems.vvm.PoolFixtures.client;
import static io.coems.vvm.PoolFixtures.refused;
import static io.coems.vvm.PoolFixtures.refusedAndUnchanged;
import static io.coems.vvm.VolumePoolTest.memoryPool;
import static io.coems.vvm.VolumePoolTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input is refused with its exact exception type, a message naming the value, and no change to the pool. */
class BadInputTest {
    private static final long MIB = 1L << 20;
    /** 128 two-byte characters: 256 UTF-8 bytes. */
    private static final String LONG_NAME = "é".repeat(128);

    private static VolumePool populated() {
        return PoolFixtures.populate(memoryPool(2048));
    }

    @Test
    void badVolumeNamesAreRefused() {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            Snapshot s = v.history().getFirst();
            for (var call : List.<java.util.function.Function<String, Executable>>of(
                    name -> () -> pool.createVolume(name, MIB),
                    name -> () -> pool.clone(s, name),
                    name -> () -> v.rename(name))) {
                refusedAndUnchanged(pool, PoolArgumentException.class, call.apply(""), "empty");
                refusedAndUnchanged(pool, PoolArgumentException.class, call.apply(null), "null");
                refusedAndUnchanged(pool, PoolArgumentException.class, call.apply(LONG_NAME), "256 bytes",
                        LONG_NAME.substring(0, 20));
                refusedAndUnchanged(pool, PoolArgumentException.class, call.apply("a\nb"), "\"a\\u000ab\"", "U+000A");
                refusedAndUnchanged(pool, PoolArgumentException.class, call.apply("a\u0000b"), "\"a\\u0000b\"");
            }
            pool.createVolume("w", MIB);
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.createVolume("v", MIB), "\"v\"",
                    "already exists");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.clone(s, "w"), "\"w\"", "already exists");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.rename("w"), "\"w\"", "already exists");
            v.rename("v");
            assertEquals("v", v.name(), "renaming to its own name is allowed");
        }
    }

    @Test
    void badSnapshotAndClientNamesAreRefused() {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            for (String bad : new String[] {"", null, LONG_NAME, "x\ny", "x\u0000y"}) {
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.snapshot(bad), "snapshot name");
                refusedAndUnchanged(pool, PoolArgumentException.class,
                        () -> pool.clients().register(bad, "02:00:00:00:00:09", "10.0.0.9", Map.of(), Map.of()),
                        "client name");
            }
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.snapshot("s"), "\"s\"", "\"v\"");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> client(pool, "pc", 2), "\"pc\"");
            Volume w = pool.createVolume("w", MIB);
            w.snapshot("s");
            assertEquals(1, w.history().size(), "another volume may use the same snapshot name");
        }
    }

    @Test
    void badSizesAreRefused() {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            long capacity = pool.space().capacity();
            for (long bad : new long[] {0, -1, VolumePool.MAX_VOLUME_BYTES + 1, Long.MIN_VALUE}) {
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.createVolume("n", bad),
                        Long.toString(bad));
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.resize(bad, true), Long.toString(bad));
            }
            long beyond = capacity + MIB;
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.createVolume("n", beyond),
                    Long.toString(beyond), "capacity");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.resize(beyond, false),
                    Long.toString(beyond), "capacity");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.resize(MIB, false),
                    Long.toString(MIB), Long.toString(4 * MIB), "allowShrink");
            assertEquals(4 * MIB, v.size());
        }
    }

    @Test
    void ioOutsideTheVolumeIsRefused() {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            Snapshot s = v.history().getFirst();
            long size = v.size();
            byte[] one = {7};
            byte[] twenty = new byte[20];
            for (BlockImage image : List.<BlockImage>of(v, s)) {
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(-1, one), "offset -1");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(size, one), "offset " + size);
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(size - 10, twenty),
                        "offset " + (size - 10));
            }
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(-1, one), "offset -1");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(size, one), "offset " + size);
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(size - 10, twenty),
                    "offset " + (size - 10));
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.discard(-1, 10), "offset -1");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.discard(size - 10, 20),
                    "offset " + (size - 10));
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.writeZeroes(0, -5), "-5 bytes");
        }
    }

    @Test
    void aReadOnlyVolumeRefusesEveryWrite(@TempDir Path dir) throws Exception {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            v.setReadOnly(true);
            Path image = dir.resolve("image.raw");
            Files.write(image, random(1000, 2));
            for (Executable write : List.<Executable>of(() -> v.write(0, new byte[10]), () -> v.discard(0, 10),
                    () -> v.writeZeroes(0, 65536), () -> v.importFrom(image, ProgressListener.NONE))) {
                refusedAndUnchanged(pool, PoolReadOnlyException.class, write, "\"v\"", "read-only");
            }
            v.setReadOnly(false);
            v.write(0, new byte[10]);
        }
    }

    @Test
    void revertingToAnotherVolumesSnapshotIsRefused() {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            Volume other = pool.createVolume("other", 2 * MIB);
            Snapshot s = v.history().getFirst();
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> other.revertTo(s), "\"s\"", "\"other\"");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> other.revertTo(null), "snapshot is null");
        }
    }

    @Test
    void anotherPoolsSnapshotIsRefusedEvenWhenItsIdMatchesOneHere() {
        try (VolumePool here = populated(); VolumePool there = populated()) {
            Snapshot foreign = there.volume("v").history().getFirst();
            Volume v = here.volume("v");
            assertEquals(v.history().getFirst().id(), foreign.id(), "the two pools gave the same ids");
            there.volume("v").write(0, random(100, 3));
            refusedAndUnchanged(here, PoolArgumentException.class, () -> v.revertTo(foreign), "another pool");
            refusedAndUnchanged(here, PoolArgumentException.class, () -> here.clone(foreign, "c"), "another pool");
        }
    }

    @Test
    void anotherPoolsVolumeIsRefusedByTheClientManagerEvenWhenItsIdMatchesOneHere() {
        try (VolumePool here = populated(); VolumePool there = populated()) {
            Volume foreign = there.volume("v");
            assertEquals(here.volume("v").id(), foreign.id(), "the two pools gave the same ids");
            ClientManager clients = here.clients();
            long pc = clients.findByName("pc").orElseThrow().id();
            refusedAndUnchanged(here, PoolArgumentException.class, () -> clients.assign(foreign, pc), "another pool");
            refusedAndUnchanged(here, PoolArgumentException.class, () -> clients.assignByIp(foreign, "10.0.0.1"),
                    "another pool");
            clients.assign(here.volume("v"), pc);
            refusedAndUnchanged(here, PoolArgumentException.class, () -> clients.unassign(foreign), "another pool");
            refusedAndUnchanged(here, PoolArgumentException.class, () -> clients.clientOf(foreign), "another pool");
            refusedAndUnchanged(here, PoolArgumentException.class, () -> clients.clientOf(null), "volume is null");
            assertEquals(List.of(), there.clients().volumesOf(there.clients().findByName("pc").orElseThrow().id()),
                    "the other pool is untouched");
        }
    }

    @Test
    void aNullNameIsRefusedByTheLookups() {
        try (VolumePool pool = populated()) {
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.findVolume(null), "null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.volume((String) null), "null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.volume("v").findSnapshot(null),
                    "snapshot name is null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.clients().findByName(null),
                    "client name is null");
        }
    }

    @Test
    void namesAndValuesThatAreNotValidUnicodeAreRefusedRatherThanStoredAltered() {
        String lone = "pc\uD800";
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> pool.createVolume(lone, MIB), "U+D800");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.rename(lone), "U+D800");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.snapshot(lone), "U+D800");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.setAttribute(lone, "1"), "U+D800");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.setAttribute("k", lone), "U+D800");
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.clients().register("c", "02:00:00:00:00:09", "10.0.0.9", Map.of("cpu", lone), Map.of()),
                    "U+D800");
        }
    }

    @Test
    void bufferRangesOutsideTheArrayAreRefused() {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            Snapshot s = v.history().getFirst();
            byte[] ten = new byte[10];
            for (BlockImage image : List.<BlockImage>of(v, s)) {
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, ten, 5, 6), "5", "6", "10");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, ten, -1, 2), "-1");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, (byte[]) null), "null");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, null, 0, 1), "null");
                refusedAndUnchanged(pool, PoolArgumentException.class,
                        () -> image.read(0, (java.nio.ByteBuffer) null), "null");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, (MemorySegment) null),
                        "null");
            }
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(0, ten, 5, 6), "5", "6", "10");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(0, ten, 0, -1), "-1");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(0, (byte[]) null), "null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(0, null, 0, 1), "null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(0, (java.nio.ByteBuffer) null),
                    "null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(0, (MemorySegment) null), "null");
        }
    }

    @Test
    void segmentsOfAClosedArenaOrOfAnotherThreadAreRefused() throws Exception {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            Snapshot s = v.history().getFirst();
            Arena arena = Arena.ofConfined();
            MemorySegment closed = arena.allocate(100);
            MemorySegment closedBuffer = arena.allocate(200);
            java.nio.ByteBuffer closedByteBuffer = closedBuffer.asByteBuffer();
            arena.close();
            MemorySegment[] foreign = new MemorySegment[1];
            Thread owner = Thread.ofPlatform().start(() -> foreign[0] = Arena.ofConfined().allocate(300));
            owner.join();
            v.write(0, new byte[10]); // owned block: the fast path of a write
            for (BlockImage image : List.<BlockImage>of(v, s)) {
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, closed), "100 bytes",
                        "arena is closed");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, closedByteBuffer),
                        "200 bytes", "arena is closed");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> image.read(0, foreign[0]), "300 bytes",
                        "another thread");
            }
            for (long offset : new long[] {0, 2 * MIB}) { // an owned block, then a hole (a write that allocates)
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(offset, closed), "100 bytes",
                        "arena is closed");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(offset, foreign[0]),
                        "300 bytes", "another thread");
            }
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.write(0, closedByteBuffer), "200 bytes",
                    "arena is closed");
            assertEquals(0, closedByteBuffer.position(), "a refused write leaves the buffer's position");
        }
    }

    @Test
    void clientMapsWithNullEntriesAreRefused() {
        try (VolumePool pool = populated()) {
            Map<String, String> nullValue = new java.util.HashMap<>();
            nullValue.put("cpu", null);
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.clients().register("c", "02:00:00:00:00:09", "10.0.0.9", nullValue, Map.of()),
                    "hardware", "null");
            Client pc = pool.clients().findByName("pc").orElseThrow();
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.clients().update(pc.withAttributes(nullValue)), "attributes", "null");
            refused(PoolArgumentException.class, () -> pc.withAttributes(null), "attributes", "null");
        }
    }

    @Test
    void nullFilesAndProgressListenersAreRefused(@TempDir Path dir) throws Exception {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            Snapshot s = v.history().getFirst();
            Path image = dir.resolve("image.raw");
            Files.write(image, new byte[10]);
            for (BlockImage from : List.<BlockImage>of(v, s)) {
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> from.exportTo(null, ProgressListener.NONE),
                        "file is null");
                refusedAndUnchanged(pool, PoolArgumentException.class, () -> from.exportTo(dir.resolve("o"), null),
                        "progress is null");
            }
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.importFrom(null, ProgressListener.NONE),
                    "file is null");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.importFrom(image, null), "progress is null");
            assertTrue(Files.notExists(dir.resolve("o")), "a refused export creates no file");
        }
    }

    @Test
    void everyOperationOnADeletedVolumeFailsNotFound(@TempDir Path dir) throws Exception {
        try (VolumePool pool = populated()) {
            Volume v = pool.createVolume("gone", MIB);
            Snapshot s = pool.volume("v").history().getFirst();
            long id = v.id();
            v.delete();
            String idText = Ids.format(id);
            Path image = dir.resolve("image.raw");
            Files.write(image, new byte[10]);
            Client pc = pool.clients().findByName("pc").orElseThrow();
            List<Executable> calls = List.of(v::name, v::size, v::created, v::isReadOnly, v::attributes, v::client,
                    v::origin, v::history, v::space, v::mapped, v::flush, v::delete,
                    () -> v.read(0, new byte[1]), () -> v.write(0, new byte[1]), () -> v.discard(0, 1),
                    () -> v.snapshot("x"), () -> v.findSnapshot("x"), () -> v.rename("x"), () -> v.resize(MIB, true),
                    () -> v.setReadOnly(true), () -> v.setAttribute("k", "v"), () -> v.revertTo(s),
                    () -> v.exportTo(dir.resolve("out.raw"), ProgressListener.NONE),
                    () -> v.importFrom(image, ProgressListener.NONE), () -> pool.volume(id),
                    () -> pool.diff(v, s), () -> pool.clients().assign(v, pc.id()), () -> pool.clients().unassign(v),
                    () -> pool.clients().clientOf(v));
            for (Executable call : calls) {
                refusedAndUnchanged(pool, PoolNotFoundException.class, call, idText);
            }
            refusedAndUnchanged(pool, PoolNotFoundException.class, () -> pool.volume("gone"), "\"gone\"");
            assertTrue(pool.findVolume("gone").isEmpty());
            assertTrue(Files.notExists(dir.resolve("out.raw")), "export of a deleted volume creates no file");
        }
    }

    @Test
    void everyOperationOnADeletedSnapshotFailsNotFound(@TempDir Path dir) {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            Snapshot s = v.snapshot("t");
            Snapshot ofDeletedVolume = pool.createVolume("w", MIB).snapshot("u");
            s.delete();
            pool.volume("w").delete();
            for (Snapshot gone : List.of(s, ofDeletedVolume)) {
                String idText = Ids.format(gone.id());
                for (Executable call : List.<Executable>of(gone::space, gone::mapped, gone::delete,
                        () -> gone.read(0, new byte[1]), () -> gone.exportTo(dir.resolve("x"), ProgressListener.NONE),
                        () -> pool.clone(gone, "c"), () -> v.revertTo(gone), () -> pool.diff(gone, v),
                        () -> pool.snapshot(gone.id()))) {
                    refusedAndUnchanged(pool, PoolNotFoundException.class, call, idText);
                }
            }
        }
    }

    @Test
    void everyOperationOnAClosedPoolFailsClosed(@TempDir Path dir) throws Exception {
        VolumePool pool = populated();
        Volume v = pool.volume("v");
        Snapshot s = v.history().getFirst();
        ClientManager clients = pool.clients();
        Client pc = clients.findByName("pc").orElseThrow();
        Path image = dir.resolve("image.raw");
        Files.write(image, new byte[10]);
        pool.close();
        pool.close();
        List<Executable> calls = List.of(() -> pool.createVolume("n", MIB), () -> pool.clone(s, "n"),
                () -> pool.findVolume("v"), () -> pool.volume("v"), () -> pool.volume(v.id()), pool::volumes,
                () -> pool.snapshot(s.id()), () -> pool.diff(s, v), pool::clients, pool::space, pool::flush,
                pool::check, () -> pool.lowSpaceThreshold(1), () -> pool.acquireLease("me", java.time.Duration.ofMinutes(1)),
                v::name, v::size, v::history, v::space, v::mapped, v::flush, v::delete, v::attributes,
                () -> v.read(0, new byte[1]), () -> v.write(0, new byte[1]), () -> v.discard(0, 1),
                () -> v.snapshot("x"), () -> v.rename("x"), () -> v.resize(MIB, true), () -> v.setReadOnly(true),
                () -> v.setAttribute("k", "v"), () -> v.revertTo(s), () -> v.importFrom(image, ProgressListener.NONE),
                () -> v.exportTo(dir.resolve("out.raw"), ProgressListener.NONE),
                s::space, s::mapped, s::delete, () -> s.read(0, new byte[1]),
                () -> clients.register("n", "02:00:00:00:00:09", "10.0.0.9", Map.of(), Map.of()),
                () -> clients.update(pc.withName("q")), () -> clients.remove(pc.id()), () -> clients.client(pc.id()),
                () -> clients.findByName("pc"), () -> clients.findByIp("10.0.0.1"),
                () -> clients.findByMac("02:00:00:00:00:01"), clients::clients, () -> clients.assign(v, pc.id()),
                () -> clients.assignByIp(v, "10.0.0.1"), () -> clients.unassign(v), () -> clients.volumesOf(pc.id()),
                () -> clients.clientOf(v));
        for (Executable call : calls) {
            refused(PoolClosedException.class, call, "closed");
        }
    }

    @Test
    void aDirectoryThatHoldsNoPoolIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        refused(PoolFormatException.class, () -> VolumePool.open(empty, PoolFixtures.DIR), empty.toString());
        Path missing = dir.resolve("missing");
        refused(PoolFormatException.class, () -> VolumePool.open(missing, PoolFixtures.DIR), missing.toString());
        assertTrue(Files.notExists(missing), "open creates nothing");

        Path tiny = Files.createDirectory(dir.resolve("tiny"));
        Files.write(tiny.resolve("pool-0000.coems"), random(100, 4));
        refused(PoolFormatException.class, () -> VolumePool.open(tiny, PoolFixtures.DIR), "pool-0000.coems");

        Path garbage = Files.createDirectory(dir.resolve("garbage"));
        byte[] noise = random(4 << 20, 5);
        Files.write(garbage.resolve("pool-0000.coems"), noise);
        refused(PoolFormatException.class, () -> VolumePool.open(garbage, PoolFixtures.DIR), "pool-0000.coems");
        assertTrue(java.util.Arrays.equals(noise, Files.readAllBytes(garbage.resolve("pool-0000.coems"))),
                "the garbage file is left as it was");
    }

    @Test
    void nullSpaceAndDeviceListsOrEntriesAreRefused() {
        MemoryDevice device = new MemoryDevice("m", 2048);
        List<LbsSpec> spaces = new java.util.ArrayList<>(List.of(LbsSpec.normal(device)));
        spaces.add(null);
        refused(PoolArgumentException.class, () -> VolumePool.create(spaces, VolumePoolTest.SMALL),
                "spaces[1] is null");
        refused(PoolArgumentException.class, () -> VolumePool.create((List<LbsSpec>) null, VolumePoolTest.SMALL),
                "spaces is null");
        List<BlockDevice> devices = new java.util.ArrayList<>(List.of(device));
        devices.add(null);
        refused(PoolArgumentException.class, () -> VolumePool.open(devices, VolumePoolTest.SMALL),
                "devices[1] is null");
        refused(PoolArgumentException.class, () -> VolumePool.open((List<BlockDevice>) null, VolumePoolTest.SMALL),
                "devices is null");
        try (VolumePool pool = VolumePool.create(List.of(LbsSpec.normal(device)), VolumePoolTest.SMALL)) {
            assertEquals(List.of(), pool.volumes(), "the refused calls left the device open and unformatted");
        }
    }

    @Test
    void creatingOverAnExistingPoolIsRefused(@TempDir Path dir) {
        try (VolumePool pool = VolumePool.create(dir, PoolFixtures.DIR)) {
            pool.createVolume("v", MIB);
        }
        refused(PoolArgumentException.class, () -> VolumePool.create(dir, PoolFixtures.DIR), "pool-0000.coems",
                "already holds a pool");
        try (VolumePool pool = VolumePool.open(dir, PoolFixtures.DIR)) {
            assertEquals(List.of("v"), pool.volumes().stream().map(Volume::name).toList());
        }
    }

    @Test
    void aPoolOfANewerFormatIsRefusedAndLeftAlone(@TempDir Path dir) {
        try (VolumePool pool = VolumePool.create(dir, PoolFixtures.DIR)) {
            pool.createVolume("v", MIB);
        }
        forgeFormat(dir, 2);
        refused(PoolFormatException.class, () -> VolumePool.open(dir, PoolFixtures.DIR), "version 2");
        forgeFormat(dir, PoolRecord.FORMAT);
        try (VolumePool pool = VolumePool.open(dir, PoolFixtures.DIR)) {
            assertEquals(MIB, pool.volume("v").size(), "the refused pool lost nothing");
        }
    }

    /** Rewrites the format byte of the pool record in {@code dir}, through the SFS below the pool. */
    private static void forgeFormat(Path dir, int format) {
        onRawFileSystem(dir, sfs -> {
            DescriptorId record = sfs.descriptors(PoolRecord.TYPE).getFirst();
            byte[] payload = sfs.readDescriptor(record).payload();
            payload[0] = (byte) format;
            sfs.updateDescriptor(record, MemorySegment.ofArray(payload));
        });
    }

    /** Runs {@code edit} on the Super File System of the (closed) directory pool in {@code dir}. */
    private static void onRawFileSystem(Path dir, java.util.function.Consumer<SuperFileSystem> edit) {
        try (StorageMatrix matrix = StorageMatrix.openFiles(List.of(dir.resolve("pool-0000.coems")));
                SuperFileSystem sfs = SuperFileSystem.open(matrix, new SfsOptions(64, 255, 16, 0, SfsOptions.DEFAULT_MAX_BLOCKS))) {
            edit.accept(sfs);
        }
    }

    @Test
    void aRecordCutShortIsRefusedAsCorruptAndLeftAlone(@TempDir Path dir) {
        long id;
        try (VolumePool pool = VolumePool.create(dir, PoolFixtures.DIR)) {
            id = pool.createVolume("v", MIB).id();
        }
        onRawFileSystem(dir, sfs -> {
            DescriptorId record = Ids.descriptor(id);
            byte[] payload = sfs.readDescriptor(record).payload();
            sfs.updateDescriptor(record, MemorySegment.ofArray(java.util.Arrays.copyOf(payload, 12)));
        });
        refused(PoolCorruptException.class, () -> VolumePool.open(dir, PoolFixtures.DIR), "volume " + Ids.format(id),
                "cut short");
        onRawFileSystem(dir, sfs -> assertEquals(12, sfs.readDescriptor(Ids.descriptor(id)).payload().length,
                "the refused open closed its files and changed nothing"));
    }

    @Test
    void devicesWithAFileSystemButNoPoolRecordAreRefused(@TempDir Path dir) {
        try (VolumePool pool = VolumePool.create(dir, PoolFixtures.DIR)) {
            pool.createVolume("v", MIB);
        }
        onRawFileSystem(dir, sfs -> sfs.freeDescriptor(sfs.descriptors(PoolRecord.TYPE).getFirst()));
        refused(PoolFormatException.class, () -> VolumePool.open(dir, PoolFixtures.DIR), "0 COEMS pool records");
    }

    @Test
    void recordsThatWouldOverflowADescriptorAreRefused() {
        try (VolumePool pool = populated()) {
            Volume v = pool.volume("v");
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.setAttribute("big", "x".repeat(3000)),
                    "\"big\"", "\"v\"");
            v.setAttribute("fill", "y".repeat(1780));
            String huge = "n".repeat(255);
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.rename(huge), huge.substring(0, 20));
            refusedAndUnchanged(pool, PoolArgumentException.class, () -> v.setAttribute("", "1"), "attribute name");
            Map<String, String> hardware = new LinkedHashMap<>();
            for (int i = 0; i < 20; i++) {
                hardware.put("slot" + i, "z".repeat(100));
            }
            refusedAndUnchanged(pool, PoolArgumentException.class,
                    () -> pool.clients().register(huge, "02:00:00:00:00:09", "10.0.0.9", hardware, Map.of()),
                    huge.substring(0, 20));
        }
    }
}
