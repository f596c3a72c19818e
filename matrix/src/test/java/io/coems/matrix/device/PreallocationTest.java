package io.coems.matrix.device;

import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceNotEmptyException;
import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.device.MappedFileDevice.Allocation;
import io.coems.matrix.noflags.PreallocateChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Preallocated device files ({@link Allocation#PREALLOCATED}): their blocks are allocated on the
 * file system at creation, they keep data as sparse ones do, and a JVM without native access is
 * refused before the file is touched. Surefire runs these tests with native access for
 * {@code io.coems.matrix}; the refusals run in child JVMs started with no flags.
 */
class PreallocationTest {
    private static final long BLOCKS = 64;

    @TempDir
    Path dir;

    /** Bytes the file system has allocated to {@code file} ({@code stat -c %b} blocks of 512 bytes). */
    static long allocatedBytes(Path file) throws IOException, InterruptedException {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(0, stat.waitFor(), out);
        String[] blocksAndSize = out.split(" ");
        return Long.parseLong(blocksAndSize[0]) * Long.parseLong(blocksAndSize[1]);
    }

    @Test
    void aPreallocatedFileHasAllItsBlocksAllocatedASparseOneNone() throws Exception {
        assertTrue(MappedFileDevice.canPreallocate(), "surefire grants native access, on Linux");
        Path thick = dir.resolve("thick.dev");
        Path sparse = dir.resolve("sparse.dev");
        try (MappedFileDevice a = MappedFileDevice.create(thick, BLOCKS, false, Allocation.PREALLOCATED);
                MappedFileDevice b = MappedFileDevice.create(sparse, BLOCKS, false, Allocation.SPARSE)) {
            assertTrue(a.isBlank());
            assertEquals(Blocks.bytes(BLOCKS), Files.size(thick), "the size is unchanged by the preallocation");
            assertTrue(allocatedBytes(thick) >= Blocks.bytes(BLOCKS), () -> "allocated " + thick);
            assertTrue(allocatedBytes(b.path()) < Blocks.SIZE, () -> "allocated " + sparse);
        }
    }

    @Test
    void aPreallocatedDeviceReadsZerosAndKeepsWhatIsWrittenAcrossReopen() throws Exception {
        Path file = dir.resolve("thick.dev");
        byte[] data = new byte[3 * Blocks.SIZE + 100];
        new Random(7).nextBytes(data);
        try (MappedFileDevice device = MappedFileDevice.create(file, BLOCKS, false, Allocation.PREALLOCATED)) {
            byte[] zeros = new byte[Blocks.SIZE];
            device.read(BLOCKS - 1, 0, MemorySegment.ofArray(zeros));
            assertArrayEquals(new byte[Blocks.SIZE], zeros, "unwritten extents read as zeros");
            device.write(5, 17, MemorySegment.ofArray(data));
            device.flush();
        }
        try (MappedFileDevice device = MappedFileDevice.open(file)) {
            byte[] back = new byte[data.length];
            device.read(5, 17, MemorySegment.ofArray(back));
            assertArrayEquals(data, back);
        }
        assertTrue(allocatedBytes(file) >= Blocks.bytes(BLOCKS));
    }

    @Test
    void overwritingPreallocatesTheReplacedFileAndRefusalsLeaveItAsItWas() throws Exception {
        Path file = dir.resolve("old.dev");
        Files.write(file, new byte[] {1, 2, 3});
        assertThrows(DeviceNotEmptyException.class,
                () -> MappedFileDevice.create(file, BLOCKS, false, Allocation.PREALLOCATED));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        try (MappedFileDevice device = MappedFileDevice.create(file, BLOCKS, true, Allocation.PREALLOCATED)) {
            assertEquals(Blocks.bytes(BLOCKS), Files.size(device.path()));
            assertTrue(allocatedBytes(file) >= Blocks.bytes(BLOCKS));
            assertThrows(MatrixArgumentException.class,
                    () -> MappedFileDevice.create(file, BLOCKS, true, Allocation.PREALLOCATED), "already open here");
        }
        assertThrows(MatrixArgumentException.class, () -> MappedFileDevice.create(file, BLOCKS, true, null));
    }

    @Test
    void withoutNativeAccessAModuleIsRefusedWithTheFlagThatGrantsIt() {
        Path file = dir.resolve("refused.dev");
        MatrixArgumentException e = assertThrows(MatrixArgumentException.class,
                () -> MappedFileDevice.checkPreallocation(file, LoggerFactory.class.getModule()));
        assertTrue(e.getMessage().contains("--enable-native-access=org.slf4j"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void aJvmWithNoFlagsIsRefusedBeforeTheFileExistsAndWithoutAWarning() throws Exception {
        String matrix = location(MappedFileDevice.class);
        String slf4j = location(LoggerFactory.class);
        String tests = location(PreallocateChild.class);
        Path onModulePath = dir.resolve("module-path.dev");
        assertEquals("refused: cannot preallocate device " + onModulePath + ": it needs native access (Linux"
                + " fallocate through java.lang.foreign); start the JVM with --enable-native-access=io.coems.matrix,"
                + " or do without preallocation; exists=false; canPreallocate=false\n",
                child(List.of("--module-path", matrix + File.pathSeparator + slf4j, "--add-modules", "io.coems.matrix",
                        "-cp", tests), onModulePath));
        Path onClassPath = dir.resolve("class-path.dev");
        assertTrue(child(List.of("-cp", String.join(File.pathSeparator, matrix, slf4j, tests)), onClassPath)
                .contains("--enable-native-access=ALL-UNNAMED"));
        assertFalse(Files.exists(onModulePath) || Files.exists(onClassPath));
    }

    /** Runs {@link PreallocateChild} in a JVM with {@code options} and no other flag; its output (no stderr). */
    private static String child(List<String> options, Path file) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add(PreallocateChild.class.getName());
        command.add(file.toString());
        Process child = new ProcessBuilder(command).start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM finished");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("", err, "the JDK printed no warning about native access");
        assertEquals(0, child.exitValue(), out);
        return out;
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
