package io.coems.matrix.lbs;

import io.coems.matrix.Blocks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * The write-intent bitmap that closes the RAID write hole (and keeps mirrors in step): one bit
 * per region of stripes, made durable on every member <em>before</em> the first write into the
 * region, and cleared lazily once the region's writes are durable. After a crash, open
 * resynchronises exactly the regions whose bit is set, recomputing parity from data (or
 * copying the first mirror), so no block outside the ones being written can change.
 *
 * <p>Clearing is aged by one flush: a flush clears only the regions that no write touched
 * since the previous flush, so a steady stream of writes into one region costs one bitmap
 * sync, not one per flush. Writers hold the read side of a gate for the length of their
 * operation and the clearing takes the write side, so a region with a write in flight is
 * never cleared.
 *
 * <p>On-media layout: block 1 of every member, 16 sectors of 4 KiB, each self-checking so a
 * torn bitmap write loses nothing but its own sector (a sector that fails its CRC counts as
 * all bits set):
 * <pre>
 *  sector k (k = 0..15), 4096 bytes
 *  0      4092   bits of regions k*32736 .. k*32736+32735, region r at byte r/8, bit r%8
 *  4092   4      CRC32C of bytes 0..4091, little-endian
 * </pre>
 */
final class WriteIntentLog {
    static final int BITMAP_BLOCK = 1;
    static final int SECTORS = Blocks.SIZE / Blocks.SECTOR_SIZE;
    static final int BITS_PER_SECTOR = (Blocks.SECTOR_SIZE - 4) * 8;
    static final int MAX_REGIONS = SECTORS * BITS_PER_SECTOR;

    /** Where the bitmap goes: every in-sync member of the space. */
    interface Media {
        /** Writes one bitmap sector to every live member. */
        void writeSector(int sector, MemorySegment bytes);

        /** Flushes every live member. */
        void sync();
    }

    private final long regionStripes;
    private final Media media;
    private final BitSet durable;
    private final BitSet touched = new BitSet();
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

    WriteIntentLog(long regionStripes, BitSet initial, Media media) {
        this.regionStripes = regionStripes;
        this.media = media;
        this.durable = (BitSet) initial.clone();
    }

    /**
     * Stripes per region: about 64 MiB of data per region, but at least 64 regions for small
     * spaces (so a crash resyncs a small part of them), and no more regions than the bitmap holds.
     */
    static int regionStripesFor(long stripes, long dataBlocksPerStripe) {
        long target = Math.max(1, (64L << 20) / Blocks.bytes(dataBlocksPerStripe));
        long fine = Math.max(1, stripes / 64);
        long minimum = (stripes + MAX_REGIONS - 1) / MAX_REGIONS;
        return (int) Math.max(Math.min(target, fine), minimum);
    }

    /** Enters a write operation; pair with {@link #endWrite()}. */
    void beginWrite() {
        gate.readLock().lock();
    }

    /** Leaves a write operation. */
    void endWrite() {
        gate.readLock().unlock();
    }

    /** Makes the bit of {@code stripe}'s region durable before the caller changes the stripe. */
    void mark(long stripe) {
        int region = (int) (stripe / regionStripes);
        synchronized (this) {
            touched.set(region);
            if (!durable.get(region)) {
                durable.set(region);
                int sector = region / BITS_PER_SECTOR;
                media.writeSector(sector, encode(sector));
                media.sync();
            }
        }
    }

    /** After the members were flushed: clears the regions untouched since the previous flush. */
    void afterFlush() {
        gate.writeLock().lock();
        try {
            synchronized (this) {
                BitSet idle = (BitSet) durable.clone();
                idle.andNot(touched);
                touched.clear();
                if (!idle.isEmpty()) {
                    durable.andNot(idle);
                    for (int sector = 0; sector < SECTORS; sector++) {
                        if (idle.nextSetBit(sector * BITS_PER_SECTOR) / BITS_PER_SECTOR == sector) {
                            media.writeSector(sector, encode(sector));
                        }
                    }
                }
            }
        } finally {
            gate.writeLock().unlock();
        }
    }

    /** Runs {@code action} with no write in flight and none starting (the gate's write side). */
    void quiesce(Runnable action) {
        gate.writeLock().lock();
        try {
            action.run();
        } finally {
            gate.writeLock().unlock();
        }
    }

    /** Writes every bitmap sector again (to a member that just came online); no sync. */
    synchronized void rewrite() {
        for (int sector = 0; sector < SECTORS; sector++) {
            media.writeSector(sector, encode(sector));
        }
    }

    /** Clears every bit durably: after a resync or on a clean close, with no writes in flight. */
    synchronized void clearAll() {
        durable.clear();
        touched.clear();
        rewrite();
        media.sync();
    }

    /** The regions whose bit is set, each as its first stripe; regions times stripes per region. */
    synchronized long[] dirtyRegionStarts() {
        return durable.stream().mapToLong(r -> r * regionStripes).toArray();
    }

    long regionStripes() {
        return regionStripes;
    }

    private MemorySegment encode(int sector) {
        MemorySegment s = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        int first = sector * BITS_PER_SECTOR;
        for (int r = durable.nextSetBit(first); r >= 0 && r < first + BITS_PER_SECTOR; r = durable.nextSetBit(r + 1)) {
            int bit = r - first;
            s.set(ValueLayout.JAVA_BYTE, bit >>> 3, (byte) (s.get(ValueLayout.JAVA_BYTE, bit >>> 3) | (1 << (bit & 7))));
        }
        s.set(LittleEndian.INT, Blocks.SECTOR_SIZE - 4, crc(s));
        return s;
    }

    /**
     * Decodes one member's bitmap block into {@code into} (OR-ing it), treating a sector that
     * fails its checksum as all set, up to {@code regions} regions.
     */
    static void decodeInto(MemorySegment block, int regions, BitSet into) {
        for (int sector = 0; sector < SECTORS; sector++) {
            MemorySegment s = block.asSlice((long) sector * Blocks.SECTOR_SIZE, Blocks.SECTOR_SIZE);
            int first = sector * BITS_PER_SECTOR;
            int last = Math.min(regions, first + BITS_PER_SECTOR);
            if (first >= last) {
                return;
            }
            if (s.get(LittleEndian.INT, Blocks.SECTOR_SIZE - 4) != crc(s)) {
                into.set(first, last);
                continue;
            }
            for (int r = first; r < last; r++) {
                int bit = r - first;
                if ((s.get(ValueLayout.JAVA_BYTE, bit >>> 3) & (1 << (bit & 7))) != 0) {
                    into.set(r);
                }
            }
        }
    }

    private static int crc(MemorySegment sector) {
        CRC32C crc = new CRC32C();
        crc.update(sector.asSlice(0, Blocks.SECTOR_SIZE - 4).asByteBuffer());
        return (int) crc.getValue();
    }
}
