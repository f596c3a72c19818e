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
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A device stored in a file and accessed through one memory mapping of the whole file
 * ({@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}), so files larger than 2 GiB
 * need no chunking. New files are {@linkplain Allocation#SPARSE sparse} unless created
 * {@linkplain Allocation#PREALLOCATED preallocated}: a sparse file's unwritten blocks take no disk
 * space, and the file system allocates them at their first write (ext4's delayed allocation
 * reserves them page by page, which slows first writes); a preallocated file
 * has every block allocated at its creation, through Linux {@code fallocate(2)} called with
 * {@code java.lang.foreign}, which needs native access (see {@link Allocation#PREALLOCATED}).
 *
 * <p>Reads copy from the mapping. A write goes through the mapping once every block it touches
 * has been written since the device opened; until then it goes through the file
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
    /** The device files open in this JVM (real paths): a second open is refused before it touches the file. */
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final Path key;
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
    /** Writes through the file so far (guarded by {@link #fileWrites}), for tests. */
    private long fileWriteCount;
    /** One flush at a time: a failure one of them meets is seen by every later one. */
    private final ReentrantLock flushes = new ReentrantLock();
    /** Set after a write, cleared by the flush that starts after it. */
    private volatile boolean dirty;
    /** Whether a window was handed out: the device cannot tell when it is written, so every flush forces. */
    private volatile boolean windowed;
    private volatile boolean closed;
    private volatile boolean failed;
    private volatile boolean blank;
    /** The descriptor {@link Fallocate} preallocated through, open until {@link #close()}; -1 if none. */
    private final int allocatedFd;

    /** How {@link #create(Path, long, boolean, Allocation)} allocates a new file's blocks on its file system. */
    public enum Allocation {
        /** No block allocated: unwritten blocks take no disk space, a first write allocates. */
        SPARSE,
        /**
         * Every block allocated at once, as unwritten extents of Linux {@code fallocate(2)}: the
         * whole file size is taken from the file system, and first writes need not allocate. Only
         * on Linux, and only if the module {@code io.coems.matrix} has native access: the JVM runs
         * with {@code --enable-native-access=io.coems.matrix} ({@code ALL-UNNAMED} when the library
         * is on the class path, or an executable JAR's {@code Enable-Native-Access: ALL-UNNAMED}).
         * Without it the create is refused before the file is touched: the library itself never
         * needs a JVM flag.
         */
        PREALLOCATED
    }

    private MappedFileDevice(Path path, Path key, RandomAccessFile file, FileLock lock, long blockCount, boolean blank,
            int allocatedFd) throws IOException {
        this.blank = blank;
        this.allocatedFd = allocatedFd;
        this.path = path;
        this.key = key;
        this.file = file;
        this.channel = file.getChannel();
        this.lock = lock;
        this.blockCount = blockCount;
        this.map = channel.map(FileChannel.MapMode.READ_WRITE, 0, Blocks.bytes(blockCount), arena);
        this.written = new WrittenBlocks(blockCount);
    }

    /** Sizes (or checks) a file this JVM and no other process holds; returns its blocks. */
    private interface Preparation {
        long blockCount(RandomAccessFile file) throws IOException;
    }

    /**
     * Opens {@code path} (creating the file if missing), claims it in this JVM and locks it
     * against other processes, and only then runs {@code prepare} on it. The claim comes first:
     * closing a second descriptor of a file would release this process's lock on it. A
     * {@linkplain Allocation#PREALLOCATED preallocated} file is allocated after {@code prepare}
     * sized it; if that fails and {@code created}, the file is removed again.
     */
    private static MappedFileDevice claim(Path path, Preparation prepare, boolean blank, Allocation allocation,
            boolean created) throws IOException {
        Path key = Files.exists(path) ? path.toRealPath() : path.toAbsolutePath().normalize();
        if (!OPEN.add(key)) {
            throw new MatrixArgumentException("device " + path + " is already open in this process");
        }
        RandomAccessFile file = null;
        int allocatedFd = -1;
        boolean sized = false;
        try {
            file = new RandomAccessFile(path.toFile(), "rw");
            FileLock lock = tryLock(file.getChannel());
            if (lock == null) {
                throw new MatrixArgumentException("device " + path + " is already open (locked by another process)");
            }
            long blockCount = prepare.blockCount(file);
            sized = true;
            if (allocation == Allocation.PREALLOCATED) {
                allocatedFd = Fallocate.allocate(path, Blocks.bytes(blockCount));
            }
            return new MappedFileDevice(path, key, file, lock, blockCount, blank, allocatedFd);
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                file.close();
            }
            if (allocatedFd >= 0) {
                Fallocate.close(allocatedFd);
            }
            if (created && sized) {
                Files.deleteIfExists(path); // a half-made device file: this create made it
            }
            OPEN.remove(key);
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    /**
     * Creates a zero-filled, {@linkplain Allocation#SPARSE sparse} device file of
     * {@code blockCount} blocks.
     *
     * @param overwrite whether an existing non-empty file may be replaced; its content is lost
     * @throws DeviceNotEmptyException if the file exists, is not empty and {@code overwrite} is false
     * @throws MatrixArgumentException if the path is null, {@code blockCount} is not positive or
     *                                 above 2^47 - 1, or the file is open
     *                                 (here or in another process), whatever {@code overwrite} says
     * @throws MatrixIoException if the file cannot be created
     */
    public static MappedFileDevice create(Path path, long blockCount, boolean overwrite) {
        return create(path, blockCount, overwrite, Allocation.SPARSE);
    }

    /**
     * Creates a zero-filled device file of {@code blockCount} blocks, its blocks allocated as
     * {@code allocation} says. A {@linkplain Allocation#PREALLOCATED preallocation} that fails
     * removes the file again if this call created it.
     *
     * @param overwrite whether an existing non-empty file may be replaced; its content is lost
     * @throws DeviceNotEmptyException if the file exists, is not empty and {@code overwrite} is false
     * @throws MatrixArgumentException if the path is null, {@code blockCount} is not positive or
     *                                 above 2^47 - 1, or the file is open
     *                                 (here or in another process), whatever {@code overwrite} says;
     *                                 for {@link Allocation#PREALLOCATED}, before the file is
     *                                 touched, if the module has no native access (the message
     *                                 names the JVM flag to add) or the system is not Linux, and
     *                                 if the file system cannot preallocate
     * @throws MatrixIoException if the file cannot be created, or its blocks not allocated (a full
     *                           file system: the message gives the error and the path)
     */
    public static MappedFileDevice create(Path path, long blockCount, boolean overwrite, Allocation allocation) {
        if (path == null) {
            throw new MatrixArgumentException("path is null");
        }
        Blocks.checkDeviceBlocks(path, blockCount);
        if (allocation == null) {
            throw new MatrixArgumentException("device " + path + ": allocation is null");
        }
        if (allocation == Allocation.PREALLOCATED) {
            checkPreallocation(path, MappedFileDevice.class.getModule());
        }
        boolean created = !Files.exists(path);
        try {
            return claim(path, file -> {
                if (!overwrite && file.length() > 0) {
                    throw new DeviceNotEmptyException("device " + path + " already holds " + file.length()
                            + " bytes; refusing to overwrite it");
                }
                file.setLength(0);
                file.setLength(Blocks.bytes(blockCount));
                file.getFD().sync();
                return blockCount;
            }, true, allocation, created);
        } catch (IOException e) {
            throw new MatrixIoException("cannot create device " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing device file; its size must be a whole number of blocks.
     *
     * @throws MatrixArgumentException if the path is null, the file is missing, empty, not a whole
     *                                 number of blocks, or open (here or in another process)
     * @throws MatrixIoException if the file cannot be opened
     */
    public static MappedFileDevice open(Path path) {
        if (path == null) {
            throw new MatrixArgumentException("path is null");
        }
        if (!Files.isRegularFile(path)) {
            throw new MatrixArgumentException("device " + path + " does not exist or is not a regular file");
        }
        try {
            return claim(path, file -> {
                long size = file.length();
                if (size == 0 || size % Blocks.SIZE != 0) {
                    throw new MatrixArgumentException("device " + path + " has " + size
                            + " bytes, not a positive whole number of " + Blocks.SIZE + "-byte blocks");
                }
                return size >>> Blocks.SHIFT;
            }, false, Allocation.SPARSE, false);
        } catch (IOException e) {
            throw new MatrixIoException("cannot open device " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether this JVM can create {@linkplain Allocation#PREALLOCATED preallocated} files: the
     * system is Linux, its C library offers {@code fallocate}, and the module
     * {@code io.coems.matrix} has native access. Asks nothing of the file system (one that cannot
     * preallocate still refuses the create). Lets a caller choose {@link Allocation#SPARSE}
     * instead of having the create refused; it never makes the JVM warn about native access.
     */
    public static boolean canPreallocate() {
        return preallocationProblem(MappedFileDevice.class.getModule()) == null;
    }

    /**
     * Refuses a preallocation this JVM cannot make, before any file is touched: without native
     * access for {@code module} (the library never makes the JVM warn about it) or off Linux.
     *
     * @throws MatrixArgumentException naming the JVM flag to add, or the system
     */
    static void checkPreallocation(Path path, Module module) {
        String problem = preallocationProblem(module);
        if (problem != null) {
            throw new MatrixArgumentException("cannot preallocate device " + path + ": " + problem);
        }
    }

    /** Why this JVM cannot preallocate with native access as {@code module} has it, or null if it can. */
    private static String preallocationProblem(Module module) {
        if (!module.isNativeAccessEnabled()) {
            return "it needs native access (Linux fallocate through java.lang.foreign); start the JVM with"
                    + " --enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED")
                    + ", or do without preallocation";
        }
        String os = System.getProperty("os.name", "");
        if (!os.equalsIgnoreCase("linux")) {
            return "preallocation uses Linux fallocate, and this system is " + os + "; do without preallocation";
        }
        try {
            Fallocate.load();
            return null;
        } catch (LinkageError e) {
            Throwable cause = e instanceof ExceptionInInitializerError init && init.getCause() != null
                    ? init.getCause() : e;
            return "the C library offers no fallocate (" + cause + "); do without preallocation";
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
        Blocks.checkAccess(name(), blockCount, block, offset, dst, true);
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
        Blocks.checkAccess(name(), blockCount, block, offset, src, false);
        long position = Blocks.bytes(block) + offset;
        blank = false;
        if (written.all(position, src.byteSize())) {
            try {
                MemorySegment.copy(src, 0, map, position, src.byteSize());
            } catch (IllegalStateException e) {
                throw closedException();
            } catch (InternalError e) {
                throw fault("write", block, e);
            }
        } else {
            writeThroughFile(block, position, src);
            written.mark(position, src.byteSize());
        }
        if (!dirty) {
            dirty = true;
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
            fileWriteCount++;
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
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, done, scratch, 0, length);
                file.seek(position + done);
                file.write(scratch, 0, length);
            }
        } catch (IOException e) {
            throw fault("write", block, e);
        } finally {
            fileWrites.unlock();
        }
    }

    /** A slice of the mapping; every later flush forces what is written through it. */
    @Override
    public MemorySegment window(long block, long blocks) {
        Blocks.checkAccess(name(), blockCount, block, 0, Blocks.bytes(blocks));
        if (closed) {
            throw closedException();
        }
        blank = false;
        windowed = true;
        written.mark(Blocks.bytes(block), Blocks.bytes(blocks));
        return map.asSlice(Blocks.bytes(block), Blocks.bytes(blocks));
    }

    /**
     * Makes every write that returned before this call durable: one {@code msync} of the whole
     * mapping, unless nothing was written since the last flush.
     *
     * @throws MatrixIoException if this or any earlier flush, read or write of the device failed
     *                           (Linux reports a writeback error to one flush only, so the device
     *                           stays failed)
     */
    @Override
    public void flush() {
        if (closed) {
            throw closedException();
        }
        flushes.lock();
        try {
            if (failed) {
                throw new MatrixIoException("device " + path + " failed earlier; what was written since its last"
                        + " good flush may be lost");
            }
            if (!dirty && !windowed) {
                return;
            }
            dirty = false;
            map.force();
        } catch (IllegalStateException e) {
            throw closedException();
        } catch (UncheckedIOException | InternalError e) {
            failed = true;
            throw new MatrixIoException("device " + path + ": flush failed: " + e.getMessage(), e);
        } finally {
            flushes.unlock();
        }
    }

    /** How many writes went through the file rather than the mapping (tests). */
    long fileWrites() {
        fileWrites.lock();
        try {
            return fileWriteCount;
        } finally {
            fileWrites.unlock();
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
                boolean fdClosed = allocatedFd < 0 || Fallocate.close(allocatedFd);
                file.close();
                if (!fdClosed) {
                    throw new IOException("closing the descriptor it was preallocated through failed");
                }
            } catch (IOException e) {
                throw new MatrixIoException("device " + path + ": close failed: " + e.getMessage(), e);
            } finally {
                OPEN.remove(key); // only now: a descriptor of ours closed later would drop a new owner's lock
            }
        }
    }

    private MatrixClosedException closedException() {
        return new MatrixClosedException("device " + path + " is closed");
    }

    private MatrixIoException fault(String op, long block, Throwable e) {
        failed = true;
        return new MatrixIoException("device " + path + ": " + op + " of block " + block + " failed: " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "MappedFileDevice[" + path + ", " + blockCount + " blocks]";
    }
}
