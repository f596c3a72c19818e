package io.coems.sfs.format;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The layouts of the integers SFS stores: every on-disk integer of SFS is little-endian,
 * whatever the byte order of the host.
 */
public final class LittleEndian {
    /** An unaligned little-endian 16-bit integer. */
    public static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** An unaligned little-endian 32-bit integer. */
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** An unaligned little-endian 64-bit integer. */
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }
}
