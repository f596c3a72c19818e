/**
 * The Storage Matrix: block devices grouped into Logical Block Spaces (NORMAL, RAID-0, RAID-1,
 * RAID-5, RAID-6, RAID-10) and concatenated into one space of 64 KiB blocks.
 *
 * <p>{@code io.coems.matrix} is the API, {@code io.coems.matrix.device} the device
 * implementations (memory-mapped file, off-heap memory, fault injection). The LBS engine in
 * {@code io.coems.matrix.lbs} is internal.
 */
module io.coems.matrix {
    requires org.slf4j;

    exports io.coems.matrix;
    exports io.coems.matrix.device;
}
