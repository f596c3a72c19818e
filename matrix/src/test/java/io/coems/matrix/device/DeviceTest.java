package io.coems.matrix.device;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceHealth;
import io.coems.matrix.DeviceNotEmptyException;
import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.MatrixClosedException;
import io.coems.matrix.MatrixIoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory and memory-mapped file devices: I/O, bounds, durability across reopen, refusals. */
class DeviceTest {
    @TempDir
    Path dir;

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static byte[] read(BlockDevice device, long block, int offset, int length) {
        byte[] data = new byte[length];
        device.read(block, offset, MemorySegment.ofArray(data));
        return data;
    }

    private static void assertMentions(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> e.getMessage() + " does not mention " + fragment);
        }
    }

    @Test
    void memoryDeviceReadsWhatWasWrittenAcrossBlocks() {
        try (MemoryDevice device = new MemoryDevice("mem", 8)) {
            byte[] data = random(3 * Blocks.SIZE, 1);
            device.write(2, 100, MemorySegment.ofArray(data));
            assertArrayEquals(data, read(device, 2, 100, data.length));
            assertArrayEquals(new byte[100], read(device, 2, 0, 100), "bytes before the write stay zero");
        }
    }

    @Test
    void boundsAreCheckedWithTheOffendingValueAndNothingWritten() {
        try (MemoryDevice device = new MemoryDevice("mem", 4)) {
            MemorySegment one = MemorySegment.ofArray(new byte[1]);
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.read(4, 0, one)), "block 4", "mem");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.write(-1, 0, one)), "block -1");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.write(0, 65536, one)), "offset 65536");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.write(0, -3, one)), "offset -3");
            MemorySegment tooLong = MemorySegment.ofArray(random(Blocks.SIZE + 1, 2));
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.write(3, 0, tooLong)),
                    String.valueOf(Blocks.SIZE + 1), "runs past the end");
            assertArrayEquals(new byte[Blocks.SIZE], read(device, 3, 0, Blocks.SIZE), "the refused write left nothing");
            assertThrows(MatrixArgumentException.class, () -> new MemoryDevice("empty", 0));
        }
    }

    @Test
    void segmentsAreCheckedBeforeAnyByteMoves() throws Exception {
        MemorySegment dead;
        try (Arena arena = Arena.ofShared()) {
            dead = arena.allocate(16);
        }
        MemorySegment readOnly = MemorySegment.ofArray(new byte[16]).asReadOnly();
        MappedFileDevice file = MappedFileDevice.create(dir.resolve("seg"), 4, false);
        BlockDevice[] devices = {new MemoryDevice("mem", 4), file,
                new FaultInjectingDevice(new MemoryDevice("faulty", 4))};
        byte[] ones = new byte[16];
        Arrays.fill(ones, (byte) 1);
        for (BlockDevice device : devices) {
            device.write(1, 0, MemorySegment.ofArray(ones)); // through the mapping afterwards, for the file
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.read(1, 0, null)),
                    "destination", "null", device.name());
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.write(1, 0, null)),
                    "source", "null");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.read(1, 0, readOnly)), "read-only");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.read(1, 0, dead)), "closed arena");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.write(1, 0, dead)), "closed arena");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> device.write(2, 0, dead)), "closed arena");
            assertArrayEquals(ones, read(device, 1, 0, 16), device.name() + ": a refused write changed block 1");
            assertArrayEquals(new byte[16], read(device, 2, 0, 16), device.name() + ": a refused write reached block 2");
            device.close();
        }
    }

    @Test
    void blockCountsBeyondWhatALongCountsInBytesAreRefused() {
        long tooMany = 1L << 47; // 2^63 bytes: the byte count overflows
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new MemoryDevice("huge", tooMany)),
                "block count " + tooMany);
        assertMentions(assertThrows(MatrixArgumentException.class, () -> new MemoryDevice("huge", Long.MAX_VALUE)),
                "block count " + Long.MAX_VALUE);
        Path path = dir.resolve("huge");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.create(path, 1L << 48, false)),
                "block count " + (1L << 48));
        assertMentions(assertThrows(MatrixArgumentException.class,
                () -> MappedFileDevice.create(path, Long.MAX_VALUE, false)), "block count " + Long.MAX_VALUE);
        assertTrue(Files.notExists(path), "a refused create left a file");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.create(null, 4, false)),
                "path is null");
        assertMentions(assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.open(null)), "path is null");
    }

    @Test
    void closedDevicesRefuseIo() {
        MemoryDevice memory = new MemoryDevice("mem", 2);
        memory.close();
        memory.close();
        assertThrows(MatrixClosedException.class, () -> memory.read(0, 0, MemorySegment.ofArray(new byte[1])));
        assertThrows(MatrixClosedException.class, memory::flush);

        MappedFileDevice file = MappedFileDevice.create(dir.resolve("f"), 2, false);
        file.close();
        assertThrows(MatrixClosedException.class, () -> file.write(0, 0, MemorySegment.ofArray(new byte[1])));
        assertThrows(MatrixClosedException.class, file::flush);
    }

    @Test
    void mappedFileLargerThanTwoGigabytesIsSparseAndDurable() throws Exception {
        Path path = dir.resolve("big.dev");
        long blocks = (3L << 30) / Blocks.SIZE;
        byte[] first = random(Blocks.SIZE, 3);
        byte[] last = random(Blocks.SIZE, 4);
        try (MappedFileDevice device = MappedFileDevice.create(path, blocks, false)) {
            assertEquals(blocks, device.blockCount());
            device.write(0, 0, MemorySegment.ofArray(first));
            device.write(blocks - 1, 0, MemorySegment.ofArray(last));
            device.write(blocks / 2, 10, MemorySegment.ofArray(first));
            device.flush();
        }
        assertEquals(3L << 30, Files.size(path));
        try (MappedFileDevice device = MappedFileDevice.open(path)) {
            assertArrayEquals(first, read(device, 0, 0, Blocks.SIZE));
            assertArrayEquals(last, read(device, blocks - 1, 0, Blocks.SIZE));
            assertArrayEquals(first, read(device, blocks / 2, 10, Blocks.SIZE));
        }
        Process stat = new ProcessBuilder("stat", "-c", "%b", path.toString()).start();
        long allocated = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim()) * 512;
        assertTrue(allocated < (64L << 20), "only the written blocks take space, not " + allocated + " bytes");
    }

    @Test
    void createRefusesExistingDataUnlessOverwrite() throws Exception {
        Path path = dir.resolve("data.dev");
        Files.write(path, random(100, 5));
        assertMentions(assertThrows(DeviceNotEmptyException.class, () -> MappedFileDevice.create(path, 4, false)),
                path.toString(), "100 bytes");
        assertEquals(100, Files.size(path), "the refused create left the file alone");
        try (MappedFileDevice device = MappedFileDevice.create(path, 4, true)) {
            assertArrayEquals(new byte[200], read(device, 0, 0, 200), "overwrite starts from zeros");
        }
    }

    @Test
    void openRefusesOddSizesMissingFilesAndSecondOpens() throws Exception {
        Path odd = dir.resolve("odd.dev");
        Files.write(odd, new byte[Blocks.SIZE + 7]);
        assertMentions(assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.open(odd)),
                String.valueOf(Blocks.SIZE + 7));
        assertMentions(assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.open(dir.resolve("none"))),
                "does not exist");
        Path path = dir.resolve("locked.dev");
        byte[] data = random(Blocks.SIZE, 13);
        try (MappedFileDevice device = MappedFileDevice.create(path, 2, false)) {
            device.write(1, 0, MemorySegment.ofArray(data));
            assertMentions(assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.open(path)),
                    "already open");
            assertMentions(assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.create(path, 2, true)),
                    "already open");
            assertMentions(assertThrows(MatrixArgumentException.class,
                    () -> MappedFileDevice.open(dir.resolve(".").resolve("locked.dev"))), "already open");
            assertEquals(2L * Blocks.SIZE, Files.size(path), "the refused create did not truncate the open device");
            assertArrayEquals(data, read(device, 1, 0, data.length));
        }
        MappedFileDevice.open(path).close();
    }

    @Test
    void writesThroughTheFileAndThroughTheMappingReadBackAndSurviveReopen() {
        Path path = dir.resolve("paths.dev");
        byte[] whole = random(3 * Blocks.SIZE, 7);
        byte[] backing = random(Blocks.SIZE + 100, 8);
        byte[] partial = random(4096, 9);
        byte[] over = random(Blocks.SIZE, 10);
        try (MappedFileDevice device = MappedFileDevice.create(path, 8, false);
             Arena arena = Arena.ofConfined()) {
            // first writes, through the file: from a native segment (the scratch array, in chunks),
            // from a slice of a heap array (its own offset), from a read-only heap segment
            device.write(1, 0, arena.allocate(whole.length).copyFrom(MemorySegment.ofArray(whole)));
            device.write(4, 0, MemorySegment.ofArray(backing).asSlice(100));
            device.write(5, 8192, MemorySegment.ofArray(partial).asReadOnly());
            assertArrayEquals(whole, read(device, 1, 0, whole.length));
            assertArrayEquals(Arrays.copyOfRange(backing, 100, backing.length),
                    read(device, 4, 0, Blocks.SIZE));
            assertArrayEquals(partial, read(device, 5, 8192, partial.length));
            assertEquals(3, device.fileWrites());
            // block 1 was written, so this overwrite goes through the mapping
            device.write(1, 0, MemorySegment.ofArray(over));
            assertArrayEquals(over, read(device, 1, 0, over.length));
            assertEquals(3, device.fileWrites(), "a written block is written through the mapping");
            device.flush();
        }
        try (MappedFileDevice device = MappedFileDevice.open(path)) {
            assertArrayEquals(over, read(device, 1, 0, over.length));
            device.write(1, 0, MemorySegment.ofArray(over));
            device.write(1, 0, MemorySegment.ofArray(over));
            assertEquals(1, device.fileWrites(), "after a reopen, each block's first write goes through the file");
            assertArrayEquals(Arrays.copyOfRange(whole, Blocks.SIZE, whole.length),
                    read(device, 2, 0, 2 * Blocks.SIZE));
            assertArrayEquals(partial, read(device, 5, 8192, partial.length));
            assertArrayEquals(new byte[8192], read(device, 5, 0, 8192), "bytes around a partial write stay zero");
        }
    }

    @Test
    void anInterruptedWriterNeitherFailsNorBreaksTheDevice() {
        Path path = dir.resolve("interrupted.dev");
        byte[] data = random(Blocks.SIZE, 11);
        try (MappedFileDevice device = MappedFileDevice.create(path, 4, false)) {
            Thread.currentThread().interrupt();
            try {
                device.write(0, 0, MemorySegment.ofArray(data));
                device.flush();
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt is left to its owner");
            }
            device.write(1, 0, MemorySegment.ofArray(data));
            device.flush();
            assertEquals(DeviceHealth.ONLINE, device.health());
        }
        try (MappedFileDevice device = MappedFileDevice.open(path)) {
            assertArrayEquals(data, read(device, 0, 0, data.length));
            assertArrayEquals(data, read(device, 1, 0, data.length));
        }
    }

    @Test
    void writtenBlocksCoverEveryBlockARangeTouches() {
        WrittenBlocks written = new WrittenBlocks(130);
        assertTrue(!written.all(0, 1));
        written.mark(Blocks.SIZE - 1, Blocks.SIZE + 2); // the last byte of block 0 to the first of block 2
        assertTrue(written.all(0, 3L * Blocks.SIZE));
        assertTrue(!written.all(0, 3L * Blocks.SIZE + 1), "block 3 was not touched");
        written.mark(129L * Blocks.SIZE + 100, 0); // zero length: the block of its position
        assertTrue(written.all(129L * Blocks.SIZE, Blocks.SIZE), "the last block, in the third word");
        assertTrue(!written.all(128L * Blocks.SIZE, 2L * Blocks.SIZE));
    }

    @Test
    void aDeviceThatFailedRefusesEveryLaterFlush() throws Exception {
        Path path = dir.resolve("truncated.dev");
        try (MappedFileDevice device = MappedFileDevice.create(path, 4, false)) {
            device.write(3, 0, MemorySegment.ofArray(random(Blocks.SIZE, 12)));
            device.flush();
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(Blocks.SIZE); // the mapping now runs past the end of the file
            }
            assertMentions(assertThrows(MatrixIoException.class, () -> read(device, 3, 0, 16)),
                    "read of block 3");
            assertEquals(DeviceHealth.FAILED, device.health());
            assertMentions(assertThrows(MatrixIoException.class, device::flush), "failed earlier");
        }
    }
}
