package io.coems.vvm;

import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.MatrixException;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MappedFileDevice;
import io.coems.matrix.device.MappedFileDevice.Allocation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The device files of a directory pool: {@code pool-0000.coems}, {@code pool-0001.coems}, ...,
 * each a file of {@link PoolOptions#fileBytes()} forming one NORMAL space of the Storage Matrix,
 * sparse or, with {@link PoolOptions#preallocate()}, preallocated. The pool grows by adding the
 * next file as a new space. An opened pool keeps the file size it was created with (that of its
 * first file), whatever the options say; the files it adds are preallocated if its pool record
 * says the pool is ({@link #recorded(boolean)}) or the options ask for it. A pool recorded as
 * preallocated that this JVM cannot preallocate for grows by sparse files rather than not at all.
 */
final class PoolFiles {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PoolFiles.class);
    private static final String PREFIX = "pool-";
    private static final String SUFFIX = ".coems";

    private final Path directory;
    /** Blocks of each file: from the options at create, from the first file at open. */
    private long fileBlocks;
    private final long maxBytes;
    /** Whether the options ask for preallocated files: a JVM that cannot is refused. */
    private final boolean asked;
    /** Whether the pool record says the files are preallocated: a JVM that cannot makes them sparse. */
    private volatile boolean recorded;
    /** Whether the fallback to sparse files has been logged. */
    private volatile boolean warned;

    PoolFiles(Path directory, PoolOptions options) {
        this.directory = directory;
        this.fileBlocks = options.fileBytes() / Blocks.SIZE;
        this.maxBytes = options.maxBytes();
        this.asked = options.preallocate();
    }

    /** Takes in what the pool record says: whether the pool's files are preallocated. */
    void recorded(boolean preallocated) {
        this.recorded = preallocated;
    }

    /** Whether the pool record says the pool's files are preallocated. */
    boolean recorded() {
        return recorded;
    }

    /**
     * How the next device file created for this pool is allocated: preallocated if the options
     * ask for it, or if the pool record says so and this JVM can (else sparse, warned about once).
     */
    Allocation allocation() {
        if (asked) {
            return Allocation.PREALLOCATED;
        }
        if (!recorded) {
            return Allocation.SPARSE;
        }
        if (MappedFileDevice.canPreallocate()) {
            return Allocation.PREALLOCATED;
        }
        if (!warned) {
            warned = true;
            LOG.warn("the pool in {} has preallocated device files, but this JVM cannot preallocate: it grows by"
                    + " sparse files; for preallocated ones run Linux with --enable-native-access=io.coems.matrix"
                    + " (ALL-UNNAMED with the library on the class path)", directory);
        }
        return Allocation.SPARSE;
    }

    /**
     * A matrix over a first new file in the directory, which is created if missing. The file is
     * made under a temporary name ({@code .partial}) and takes its own name only in
     * {@link #created()}, once the pool in it is complete: a creation cut short leaves no pool
     * behind, and can simply be run again.
     */
    StorageMatrix create() {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new PoolIoException("cannot create pool directory " + directory + ": " + e.getMessage(), e);
        }
        if (!existing().isEmpty()) {
            throw new PoolArgumentException("directory " + directory + " already holds a pool ("
                    + existing().getFirst().getFileName() + "); open it instead");
        }
        MappedFileDevice first = MappedFileDevice.create(partial(), fileBlocks, true, allocation());
        try {
            return StorageMatrix.create(List.of(LbsSpec.normal(first)));
        } catch (MatrixException e) {
            first.close();
            throw e;
        }
    }

    /** Gives the first file its name, durably: the pool in it is complete and flushed. */
    void created() {
        try {
            Files.move(partial(), file(0), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(directory)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new PoolIoException("cannot name the pool file " + file(0) + ": " + e.getMessage(), e);
        }
    }

    private Path partial() {
        return directory.resolve(file(0).getFileName() + ".partial");
    }

    /**
     * The matrix over the directory's files. A last file that was never labelled (a growth cut
     * short before the matrix took it in) is removed first: it holds nothing.
     */
    StorageMatrix open() {
        List<Path> files = existing();
        if (files.isEmpty()) {
            throw new PoolFormatException("directory " + directory + " holds no COEMS pool (no " + PREFIX + "*"
                    + SUFFIX + " files)");
        }
        if (files.size() > 1 && isBlank(files.getLast())) {
            LOG.warn("removing {}: a growth of the pool was interrupted before the file was taken in", files.getLast());
            delete(files.getLast());
            files = files.subList(0, files.size() - 1);
        }
        try {
            long first = Files.size(files.getFirst()) / Blocks.SIZE;
            if (first > 0) {
                fileBlocks = first;
            }
        } catch (IOException e) {
            throw new PoolIoException("cannot read the size of pool file " + files.getFirst() + ": " + e.getMessage(), e);
        }
        return StorageMatrix.openFiles(files);
    }

    /** Whether the file's two label sectors are all zeros: it never became a member. */
    private static boolean isBlank(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2 * Blocks.SECTOR_SIZE);
            for (byte b : head) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new PoolIoException("cannot read pool file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new PoolIoException("cannot remove pool file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Bytes of each device file of this pool. */
    long fileBytes() {
        return Blocks.bytes(fileBlocks);
    }

    /**
     * Adds the next file to {@code matrix} as a new space, unless that would pass the maximum
     * of the options or {@code maxBlocks}, those the file system on the matrix may grow to
     * (a file it could not take in would be a space the pool cannot open with).
     *
     * @return whether a file was added
     */
    boolean grow(StorageMatrix matrix, long maxBlocks) {
        int next = matrix.lbsCount();
        if ((long) (next + 1) * fileBlocks * Blocks.SIZE > maxBytes || matrix.blockCount() + fileBlocks > maxBlocks) {
            return false;
        }
        MappedFileDevice device = MappedFileDevice.create(file(next), fileBlocks, false, allocation());
        try {
            matrix.addLbs(LbsSpec.normal(device));
            return true;
        } catch (MatrixException e) {
            device.close();
            delete(file(next));
            throw e;
        }
    }

    private Path file(int index) {
        return directory.resolve(String.format("%s%04d%s", PREFIX, index, SUFFIX));
    }

    private List<Path> existing() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
            }).sorted().toList();
        } catch (IOException e) {
            throw new PoolIoException("cannot list pool directory " + directory + ": " + e.getMessage(), e);
        }
    }
}
