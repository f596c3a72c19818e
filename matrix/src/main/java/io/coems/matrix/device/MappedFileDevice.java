package io.coems.matrix.device;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.DeviceHealth;
import io.coems.matrix.DeviceNotEmptyException;
import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.MatrixClosedException;
import io.coems.matrix.MatrixIoException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A device stored in a file and accessed through one memory mapping of the whole file
 * ({@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}), so files larger than 2 GiB
 * need no chunking. New files are sparse: unwritten blocks take no disk space.
 *
 * <p>Reads copy from the mapping. A write goes through the mapping once every block it touches
 * has been written whole since the device opened; until then it goes through the file
 * ({@code write(2)}), which fills a hole of the sparse file without faulting it in page by page
 * (the kernel zeroes each faulted page first, which made first writes several times slower).
 * Both paths share the page cache, so a read sees either at once. {@link #flush()} forces the
 * whole mapping in one {@code msync}, which writes back every dirty page of the file however it
 * was written, and waits for writeback another flush started; {@link #close()} unmaps at once.
 * The file is locked while open, so two pools in one machine cannot open the same device. An
 * I/O failure (a truncated or vanished file, a full file system) marks the device
 * {@link DeviceHealth#FAILED} and surfaces as {@link MatrixIoException}.
 */
public final class MappedFileDevice implements BlockDevice {
    private final Path path;
    private final long blockCount;
    private final RandomAccessFile file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment map;
    private final WrittenBlocks written;
    /** Guards {@link #file}'s position and {@link #scratch} for writes through the file. */
    private final ReentrantLock fileWrites = new ReentrantLock();
    private byte[] scratch;
    private volatile boolean closed;
    private volatile boolean failed;
    private volatile boolean blank;

    private MappedFileDevice(Path path, RandomAccessFile file, long blockCount, boolean blank) throws IOException {
        this.blank = blank;
        this.path = path;
        this.file = file;
        this.channel = file.getChannel();
        this.blockCount = blockCount;
        this.lock = tryLock(channel);
        if (lock == null) {
            throw new MatrixArgumentException("device " + path + " is already open (locked by this or another process)");
        }
        this.map = channel.map(FileChannel.MapMode.READ_WRITE, 0, Blocks.bytes(blockCount), arena);
        this.written = new WrittenBlocks(blockCount);
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    /**
     * Creates a zero-filled, sparse device file of {@code blockCount} blocks.
     *
     * @param overwrite whether an existing non-empty file may be replaced; its content is lost
     * @throws DeviceNotEmptyException if the file exists, is not empty and {@code overwrite} is false
     * @throws MatrixArgumentException if {@code blockCount} is not positive
     * @throws MatrixIoException if the file cannot be created
     */
    public static MappedFileDevice create(Path path, long blockCount, boolean overwrite) {
        if (blockCount <= 0) {
            throw new MatrixArgumentException("device " + path + ": block count " + blockCount + " is not positive");
        }
        try {
            if (!overwrite && Files.exists(path) && Files.size(path) > 0) {
                throw new DeviceNotEmptyException("device " + path + " already holds " + Files.size(path)
                        + " bytes; refusing to overwrite it");
            }
            RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
            try {
                file.setLength(0);
                file.setLength(Blocks.bytes(blockCount));
                file.getFD().sync();
                return new MappedFileDevice(path, file, blockCount, true);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        } catch (IOException e) {
            throw new MatrixIoException("cannot create device " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing device file; its size must be a whole number of blocks.
     *
     * @throws MatrixArgumentException if the file is missing, empty or not a whole number of blocks
     * @throws MatrixIoException if the file cannot be opened
     */
    public static MappedFileDevice open(Path path) {
        try {
            if (!Files.isRegularFile(path)) {
                throw new MatrixArgumentException("device " + path + " does not exist or is not a regular file");
            }
            long size = Files.size(path);
            if (size == 0 || size % Blocks.SIZE != 0) {
                throw new MatrixArgumentException("device " + path + " has " + size
                        + " bytes, not a positive whole number of " + Blocks.SIZE + "-byte blocks");
            }
            RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
            try {
                return new MappedFileDevice(path, file, size >>> Blocks.SHIFT, false);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        } catch (IOException e) {
            throw new MatrixIoException("cannot open device " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file this device lives in. */
    public Path path() {
        return path;
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    /** True from {@link #create} until the first write; a device opened from a file is never known blank. */
    @Override
    public boolean isBlank() {
        return blank;
    }

    @Override
    public DeviceHealth health() {
        return failed ? DeviceHealth.FAILED : DeviceHealth.ONLINE;
    }

    @Override
    public void read(long block, int offset, MemorySegment dst) {
        Blocks.checkAccess(name(), blockCount, block, offset, dst.byteSize());
        try {
            MemorySegment.copy(map, Blocks.bytes(block) + offset, dst, 0, dst.byteSize());
        } catch (IllegalStateException e) {
            throw closedException();
        } catch (InternalError e) {
            throw fault("read", block, e);
        }
    }

    @Override
    public void write(long block, int offset, MemorySegment src) {
        Blocks.checkAccess(name(), blockCount, block, offset, src.byteSize());
        long position = Blocks.bytes(block) + offset;
        blank = false;
        if (!written.all(position, src.byteSize())) {
            writeThroughFile(block, position, src);
            written.mark(position, src.byteSize());
            return;
        }
        try {
            MemorySegment.copy(src, 0, map, position, src.byteSize());
        } catch (IllegalStateException e) {
            throw closedException();
        } catch (InternalError e) {
            throw fault("write", block, e);
        }
    }

    /**
     * {@code write(2)} of {@code src} at {@code position}: not interruptible (an interrupt would
     * close a {@link FileChannel}), from the caller's array when it has one, else through
     * {@link #scratch}.
     */
    private void writeThroughFile(long block, long position, MemorySegment src) {
        fileWrites.lock();
        try {
            if (closed) {
                throw closedException();
            }
            if (src.heapBase().orElse(null) instanceof byte[] array) {
                file.seek(position);
                file.write(array, Math.toIntExact(src.address()), Math.toIntExact(src.byteSize()));
                return;
            }
            if (scratch == null) {
                scratch = new byte[Blocks.SIZE];
            }
            for (long done = 0; done < src.byteSize(); done += scratch.length) {
                int length = (int) Math.min(scratch.length, src.byteSize() - done);
                MemorySegment.copy(src, java.lang.foreign.ValueLayout.JAVA_BYTE, done, scratch, 0, length);
                file.seek(position + done);
                file.write(scratch, 0, length);
            }
        } catch (IOException e) {
            failed = true;
            throw new MatrixIoException("device " + path + ": write of block " + block + " failed: " + e.getMessage(), e);
        } finally {
            fileWrites.unlock();
        }
    }

    /** A slice of the mapping; the next flush forces what is written through it. */
    @Override
    public MemorySegment window(long block, long blocks) {
        Blocks.checkAccess(name(), blockCount, block, 0, Blocks.bytes(blocks));
        if (closed) {
            throw closedException();
        }
        blank = false;
        return map.asSlice(Blocks.bytes(block), Blocks.bytes(blocks));
    }

    @Override
    public void flush() {
        if (closed) {
            throw closedException();
        }
        try {
            map.force();
        } catch (IllegalStateException e) {
            throw closedException();
        } catch (java.io.UncheckedIOException | InternalError e) {
            failed = true;
            throw new MatrixIoException("device " + path + ": flush failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        fileWrites.lock();
        try {
            closed = true;
        } finally {
            fileWrites.unlock();
        }
        try {
            arena.close();
        } finally {
            try {
                lock.release();
                file.close();
            } catch (IOException e) {
                throw new MatrixIoException("device " + path + ": close failed: " + e.getMessage(), e);
            }
        }
    }

    private MatrixClosedException closedException() {
        return new MatrixClosedException("device " + path + " is closed");
    }

    private MatrixIoException fault(String op, long block, InternalError e) {
        failed = true;
        return new MatrixIoException("device " + path + ": " + op + " of block " + block + " failed: " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "MappedFileDevice[" + path + ", " + blockCount + " blocks]";
    }
}
