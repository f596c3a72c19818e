package io.coems.vvm;

import io.coems.matrix.Blocks;
import io.coems.matrix.ProgressListener;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Streams raw images between files and volumes, 1 MiB at a time, sparse both ways: zero
 * blocks of an imported file are discarded instead of written, and export writes only the
 * mapped, non-zero blocks into a sparse file.
 */
final class Transfer {
    private static final int CHUNK = 16 * Blocks.SIZE;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[Blocks.SIZE]);

    private Transfer() {
    }

    /**
     * Writes {@code image} to {@code file}, which must be absent or empty; if the export fails
     * after it began writing, the file is put back as it was (absent, or empty), so it can be retried.
     */
    static void export(BlockImage image, Path file, ProgressListener progress) {
        VolumePool.required(file, "file");
        VolumePool.required(progress, "progress");
        long size = image.size();
        List<Extent> mapped = image.mapped();
        boolean existed = Files.exists(file);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (out.size() > 0) {
                throw new PoolArgumentException("export target " + file + " already holds " + out.size()
                        + " bytes; refusing to overwrite it");
            }
            try {
                write(image, mapped, size, out, progress);
            } catch (IOException | RuntimeException e) {
                out.truncate(0);
                if (!existed) {
                    Files.delete(file);
                }
                throw e;
            }
        } catch (IOException e) {
            throw new PoolIoException("cannot export " + image.name() + " to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the {@code mapped} extents of {@code image}, of {@code size} bytes, into the empty file {@code out}. */
    private static void write(BlockImage image, List<Extent> mapped, long size, FileChannel out,
            ProgressListener progress) throws IOException {
        if (size > 0) {
            out.write(ByteBuffer.allocate(1), size - 1);
        }
        byte[] buffer = new byte[CHUNK];
        MemorySegment chunk = MemorySegment.ofArray(buffer);
        for (Extent extent : mapped) {
            for (long at = extent.offset(); at < extent.end(); at += CHUNK) {
                int length = (int) Math.min(CHUNK, extent.end() - at);
                image.read(at, chunk.asSlice(0, length));
                for (int piece = 0; piece < length; piece += Blocks.SIZE) {
                    int n = Math.min(Blocks.SIZE, length - piece);
                    if (!isZero(chunk.asSlice(piece, n))) {
                        writeFully(out, ByteBuffer.wrap(buffer, piece, n), at + piece);
                    }
                }
                progress.progress(at + length, size);
            }
        }
        out.force(true);
        progress.progress(size, size);
    }

    static void importInto(Volume volume, Path file, ProgressListener progress) {
        VolumePool.required(file, "file");
        VolumePool.required(progress, "progress");
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size > volume.size()) {
                throw new PoolArgumentException("image " + file + " of " + size + " bytes does not fit volume "
                        + Names.quoted(volume.name()) + " of " + volume.size() + " bytes");
            }
            byte[] buffer = new byte[CHUNK];
            MemorySegment chunk = MemorySegment.ofArray(buffer);
            long zeroStart = -1;
            for (long at = 0; at < size; at += CHUNK) {
                int length = (int) Math.min(CHUNK, size - at);
                readFully(in, ByteBuffer.wrap(buffer, 0, length), at, file);
                for (int piece = 0; piece < length; piece += Blocks.SIZE) {
                    int n = Math.min(Blocks.SIZE, length - piece);
                    MemorySegment part = chunk.asSlice(piece, n);
                    if (isZero(part)) {
                        zeroStart = zeroStart < 0 ? at + piece : zeroStart;
                    } else {
                        if (zeroStart >= 0) {
                            volume.discard(zeroStart, at + piece - zeroStart);
                            zeroStart = -1;
                        }
                        volume.write(at + piece, part);
                    }
                }
                progress.progress(at + length, size);
            }
            if (zeroStart >= 0) {
                volume.discard(zeroStart, size - zeroStart);
            }
            progress.progress(size, size);
        } catch (IOException e) {
            throw new PoolIoException("cannot import " + file + " into " + Names.quoted(volume.name()) + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean isZero(MemorySegment part) {
        return MemorySegment.mismatch(part, 0, part.byteSize(), ZEROS, 0, part.byteSize()) == -1;
    }

    private static void writeFully(FileChannel out, ByteBuffer data, long position) throws IOException {
        while (data.hasRemaining()) {
            position += out.write(data, position);
        }
    }

    private static void readFully(FileChannel in, ByteBuffer data, long position, Path file) throws IOException {
        while (data.hasRemaining()) {
            int n = in.read(data, position);
            if (n < 0) {
                throw new IOException(file + " ended at " + position + " bytes while being read");
            }
            position += n;
        }
    }

    /** Byte extents of the block ranges, clipped to {@code size}. */
    static List<Extent> extents(List<io.coems.sfs.BlockRange> ranges, long size) {
        return ranges.stream()
                .map(r -> new Extent(Blocks.bytes(r.first()), Math.min(Blocks.bytes(r.end()), size) - Blocks.bytes(r.first())))
                .filter(e -> e.length() > 0)
                .toList();
    }
}
