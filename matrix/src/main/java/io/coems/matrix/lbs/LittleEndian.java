package io.coems.matrix.lbs;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The layouts of the on-disk integers of the matrix (labels, write-intent bitmap): little-endian on every host. */
final class LittleEndian {
    /** An unaligned little-endian u16 / i16. */
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** An unaligned little-endian u32 / i32. */
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** An unaligned little-endian u64 / i64. */
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }
}
