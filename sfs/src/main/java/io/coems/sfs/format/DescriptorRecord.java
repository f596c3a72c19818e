package io.coems.sfs.format;

import java.lang.foreign.MemorySegment;

import static io.coems.sfs.format.LittleEndian.INT;
import static io.coems.sfs.format.LittleEndian.SHORT;

/**
 * A flyweight over one 2 KiB descriptor record: the typed metadata of the layers above SFS
 * (volumes, clients, ...), kept in the data blocks of the descriptor vnode,
 * {@link #PER_BLOCK} records per block before the block's {@link MetaBlock} trailer. Record
 * {@code i} lies in logical block {@code i / PER_BLOCK} at slot {@code i % PER_BLOCK}.
 *
 * <pre>
 *  offset size  field (little-endian)
 *  0      2     type: 0 = free; 1 = volume, 2 = client; 65535 = a vnode being deleted (SFS's own);
 *               other values reserved, kept as they are
 *  2      2     payload length in bytes (0..2036)
 *  4      4     generation: +1 each time the record is freed, so stale ids are detected
 *  8      4     reserved, 0
 *  12     2036  payload
 * </pre>
 */
public final class DescriptorRecord {
    /** Bytes of a record. */
    public static final int SIZE = 2048;
    /** Records per descriptor block. */
    public static final int PER_BLOCK = MetaBlock.PAYLOAD / SIZE;
    /** Largest payload. */
    public static final int MAX_PAYLOAD = SIZE - 12;


    private MemorySegment block;
    private long base;

    /** Points this flyweight at slot {@code slot} of {@code descriptorBlock}. */
    public DescriptorRecord wrap(MemorySegment descriptorBlock, int slot) {
        this.block = descriptorBlock;
        this.base = (long) slot * SIZE;
        return this;
    }

    /** The type; 0 for a free record. */
    public int type() {
        return Short.toUnsignedInt(block.get(SHORT, base));
    }

    /** The payload length. */
    public int length() {
        return Short.toUnsignedInt(block.get(SHORT, base + 2));
    }

    /** The generation. */
    public int generation() {
        return block.get(INT, base + 4);
    }

    /** The payload, as a slice of the block. */
    public MemorySegment payload() {
        return block.asSlice(base + 12, length());
    }

    /** Stores type, payload and generation. */
    public void set(int type, MemorySegment payload, int generation) {
        block.asSlice(base, SIZE).fill((byte) 0);
        block.set(SHORT, base, (short) type);
        block.set(SHORT, base + 2, (short) payload.byteSize());
        block.set(INT, base + 4, generation);
        MemorySegment.copy(payload, 0, block, base + 12, payload.byteSize());
    }

    /** Frees the record, advancing its generation. */
    public void free() {
        int next = generation() + 1;
        block.asSlice(base, SIZE).fill((byte) 0);
        block.set(INT, base + 4, next == 0 ? 1 : next);
    }
}
