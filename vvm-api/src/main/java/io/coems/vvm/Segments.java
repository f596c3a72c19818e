package io.coems.vvm;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** The caller's buffers as memory segments, checked at the public boundary. */
final class Segments {
    private Segments() {
    }

    /**
     * {@code segment}, which must not be null and must be accessible to this thread: its arena
     * open, and not confined to another thread.
     *
     * @throws PoolArgumentException naming the segment and why it cannot be used
     */
    static MemorySegment required(MemorySegment segment, String what) {
        if (segment == null) {
            throw new PoolArgumentException(what + " is null");
        }
        if (!segment.scope().isAlive()) {
            throw new PoolArgumentException(what + " of " + segment.byteSize()
                    + " bytes is not usable: its arena is closed");
        }
        if (!segment.isAccessibleBy(Thread.currentThread())) {
            throw new PoolArgumentException(what + " of " + segment.byteSize()
                    + " bytes is not usable: it is confined to another thread");
        }
        return segment;
    }

    /** The whole of {@code array}. */
    static MemorySegment of(byte[] array, String what) {
        if (array == null) {
            throw new PoolArgumentException(what + " is null");
        }
        return MemorySegment.ofArray(array);
    }

    /**
     * {@code length} bytes of {@code array} from {@code offset}.
     *
     * @throws PoolArgumentException if the array is null or the range is not inside it
     */
    static MemorySegment of(byte[] array, int offset, int length, String what) {
        MemorySegment whole = of(array, what);
        if (offset < 0 || length < 0 || length > array.length - offset) {
            throw new PoolArgumentException("range of " + length + " bytes at index " + offset + " is not inside "
                    + what + " of " + array.length + " bytes");
        }
        return whole.asSlice(offset, length);
    }

    /** The bytes of {@code buffer} from its position to its limit. */
    static MemorySegment of(ByteBuffer buffer, String what) {
        if (buffer == null) {
            throw new PoolArgumentException(what + " is null");
        }
        return required(MemorySegment.ofBuffer(buffer), what);
    }
}
