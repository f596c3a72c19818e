package io.coems.nvsp.client;

import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.RangeRequest;
import io.coems.nvsp.message.ReadResponse;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A volume on the server, used like a local block device. A handle only: making one sends
 * nothing, and it stays valid across new sessions of its client.
 *
 * <p>Reads and writes of any length are split into requests of at most 64 KiB that are
 * pipelined (as many in flight as the server's credits allow) and awaited together; trims and
 * write-zeroes are split into requests of at most 1 GiB. Each request may take the client's
 * request timeout, retransmissions included. A failed transfer throws the first failure once
 * its other requests are answered (or timed out), so none of them still runs on the server;
 * the part of the range not known to be written is then undefined.
 *
 * <p>Thread-safe: any number of threads may use one handle, or several handles of the volume,
 * at once. Arguments are checked before anything is sent; a bad one throws
 * {@link RemoteArgumentException} naming it.
 */
public final class RemoteVolume {
    /** The most one TRIM, WRITE_ZEROES or BLOCK_STATUS request covers. */
    static final int MAX_RANGE = 1 << 30;

    private final long id;
    private final Pipeline pipeline;

    RemoteVolume(long id, Pipeline pipeline) {
        this.id = id;
        this.pipeline = pipeline;
    }

    /**
     * Returns the volume's id.
     *
     * @return the id the server knows it by
     */
    public long id() {
        return id;
    }

    /**
     * Reads bytes of the volume into an array.
     *
     * @param offset the first byte to read, in the volume
     * @param dst the array to fill
     * @param dstOffset where the first byte goes in it
     * @param length how many bytes
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume ({@code EOVERFLOW})
     * @throws RemoteException as the server answered, or the request timed out
     */
    public void read(long offset, byte[] dst, int dstOffset, int length) {
        read(offset, segment(dst, dstOffset, length, "dst"));
    }

    /**
     * Reads {@code dst.byteSize()} bytes of the volume into a segment, which may be confined
     * to the calling thread.
     *
     * @param offset the first byte to read, in the volume
     * @param dst the memory to fill, writable
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume ({@code EOVERFLOW})
     * @throws RemoteException as the server answered, or the request timed out
     */
    public void read(long offset, MemorySegment dst) {
        checkSegment(dst, "dst");
        if (dst.isReadOnly()) {
            throw new RemoteArgumentException("dst is a read-only segment");
        }
        long length = dst.byteSize();
        checkRange(offset, length);
        if (length > 0) {
            pipeline.transfer(length, Call.MAX_DATA,
                    (call, position, part) -> call.encodeBlock(MessageType.READ, id, offset + position, part, 0),
                    (call, position, part) -> copyOut(call, dst, position, part), pipeline.receiverMayAccess(dst));
        }
    }

    /**
     * Writes bytes of an array to the volume.
     *
     * @param offset where the first byte goes, in the volume
     * @param src the array
     * @param srcOffset where the bytes start in it
     * @param length how many bytes
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume ({@code EOVERFLOW})
     * @throws RemoteException as the server answered ({@code ENOSPC}, {@code EPERM} for a
     *     read-only volume ...), or a request timed out
     */
    public void write(long offset, byte[] src, int srcOffset, int length) {
        write(offset, segment(src, srcOffset, length, "src"), 0);
    }

    /**
     * Writes the bytes of a segment to the volume.
     *
     * @param offset where the first byte goes, in the volume
     * @param src the bytes, {@code src.byteSize()} of them
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume
     * @throws RemoteException as the server answered, or a request timed out
     */
    public void write(long offset, MemorySegment src) {
        write(offset, src, 0);
    }

    /**
     * Writes the bytes of a segment with forced unit access: they are durable on the server
     * when this returns.
     *
     * @param offset where the first byte goes, in the volume
     * @param src the bytes
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume
     * @throws RemoteException as the server answered, or a request timed out
     */
    public void writeFua(long offset, MemorySegment src) {
        write(offset, src, RangeRequest.FLAG_FUA);
    }

    private void write(long offset, MemorySegment src, long flags) {
        checkSegment(src, "src");
        long length = src.byteSize();
        checkRange(offset, length);
        if (length > 0) {
            pipeline.transfer(length, Call.MAX_DATA,
                    (call, position, part) -> call.encodeWrite(id, offset + position, src, position, part, flags),
                    (call, position, part) -> { }, pipeline.receiverMayAccess(src));
        }
    }

    /**
     * Makes every completed write to the volume durable on the server.
     *
     * @throws RemoteException as the server answered, or the request timed out
     */
    public void flush() {
        pipeline.exchange((call, position, length) -> call.encodeBlock(MessageType.FLUSH, id, 0, 0, 0), call -> null);
    }

    /**
     * Tells the server a range is no longer needed: it may free it, and the range reads as zeros.
     *
     * @param offset the first byte of the range
     * @param length its length in bytes
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume
     * @throws RemoteException as the server answered, or a request timed out
     */
    public void trim(long offset, long length) {
        range(MessageType.TRIM, offset, length, 0);
    }

    /**
     * Makes a range read as zeros without sending them.
     *
     * @param offset the first byte of the range
     * @param length its length in bytes
     * @param allocate true to allocate the zeros (later writes need no space), false to let the
     *     server leave holes
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume
     * @throws RemoteException as the server answered, or a request timed out
     */
    public void writeZeroes(long offset, long length, boolean allocate) {
        range(MessageType.WRITE_ZEROES, offset, length, allocate ? RangeRequest.FLAG_NO_HOLE : 0);
    }

    private void range(MessageType type, long offset, long length, long flags) {
        checkRange(offset, length);
        if (length > 0) {
            pipeline.transfer(length, MAX_RANGE,
                    (call, position, part) -> call.encodeBlock(type, id, offset + position, part, flags),
                    (call, position, part) -> { }, true);
        }
    }

    /**
     * Reports which parts of a range are allocated and which read as zeros. Adjacent extents
     * of the same state are merged.
     *
     * @param offset the first byte of the range
     * @param length its length in bytes
     * @return extents in order, covering the range exactly
     * @throws RemoteArgumentException if an argument is invalid, or the range is beyond the end
     *     of the volume
     * @throws RemoteException as the server answered, a request timed out, or the server's
     *     extents do not cover the range in order
     */
    public List<RemoteExtent> blockStatus(long offset, long length) {
        checkRange(offset, length);
        List<RemoteExtent> extents = new ArrayList<>();
        long end = offset + length;
        for (long position = offset; position < end; ) {
            long start = position;
            long part = Math.min(MAX_RANGE, end - start);
            position = pipeline.exchange(
                    (call, unused, none) -> call.encodeBlock(MessageType.BLOCK_STATUS, id, start, part, 0),
                    call -> appendExtents(call.extents(), start, start + part, extents));
        }
        return extents;
    }

    /** Appends the extents of a response, checking they tile [start, ...) within end; returns where they end. */
    private long appendExtents(BlockStatusResponse response, long start, long end, List<RemoteExtent> extents) {
        long position = start;
        for (int i = 0; i < response.entryCount(); i++) {
            long offset = response.extentOffset(i);
            long length = response.extentLength(i);
            if (offset != position || length == 0 || length > end - position) {
                throw new RemoteException("volume " + Long.toUnsignedString(id) + ": the server's extent " + i
                        + " [" + offset + ", +" + length + ") does not continue the extents at " + position
                        + " within the range ending at " + end, null);
            }
            long state = response.extentState(i);
            add(extents, new RemoteExtent(offset, length, (state & BlockStatusResponse.STATE_HOLE) != 0,
                    (state & BlockStatusResponse.STATE_ZERO) != 0));
            position += length;
        }
        if (position == start) {
            throw new RemoteException("volume " + Long.toUnsignedString(id) + ": the server reported no extent at "
                    + start, null);
        }
        return position;
    }

    private static void add(List<RemoteExtent> extents, RemoteExtent extent) {
        if (!extents.isEmpty()) {
            RemoteExtent last = extents.getLast();
            if (last.hole() == extent.hole() && last.zero() == extent.zero()) {
                extents.set(extents.size() - 1, new RemoteExtent(last.offset(), last.length() + extent.length(),
                        last.hole(), last.zero()));
                return;
            }
        }
        extents.add(extent);
    }

    private void copyOut(Call call, MemorySegment dst, long position, int length) {
        ReadResponse response = call.readResponse();
        long received = response.data().length();
        if (received != length) {
            throw new RemoteIoException(call.describe() + ": the server answered " + received + " bytes", null, null);
        }
        response.data().copyTo(dst, position);
    }

    private static MemorySegment segment(byte[] array, int offset, int length, String name) {
        if (array == null) {
            throw new RemoteArgumentException(name + " must not be null");
        }
        if (offset < 0 || length < 0 || offset > array.length - length) {
            throw new RemoteArgumentException(name + " range [" + offset + ", +" + length + ") is outside an array of "
                    + array.length + " bytes");
        }
        return MemorySegment.ofArray(array).asSlice(offset, length);
    }

    private static void checkSegment(MemorySegment segment, String name) {
        if (segment == null) {
            throw new RemoteArgumentException(name + " must not be null");
        }
    }

    private static void checkRange(long offset, long length) {
        if (offset < 0) {
            throw new RemoteArgumentException("offset " + offset + " is negative");
        }
        if (length < 0) {
            throw new RemoteArgumentException("length " + length + " is negative");
        }
        if (offset > Long.MAX_VALUE - length) {
            throw new RemoteArgumentException("offset " + offset + " + length " + length + " overflows");
        }
    }

    @Override
    public String toString() {
        return "remote volume " + Long.toUnsignedString(id);
    }
}
