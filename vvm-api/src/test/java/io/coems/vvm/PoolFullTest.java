package io.coems.vvm;

import io.coems.matrix.Blocks;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool on a fixed memory device, filled up: a write that finds no space throws
 * {@link PoolNoSpaceException} and changes nothing, deleting a snapshot frees exactly its
 * reclaimable space, and the refused writes then succeed.
 */
class PoolFullTest {
    private static final int MIB = 16 * Blocks.SIZE;
    /** The free space only deletes may use: SFS reserves 16 blocks in a pool this small. */
    private static final long RESERVE = 16L * Blocks.SIZE;

    @Test
    void aFullPoolRefusesWritesWithoutChangeAndRecoversWhenASnapshotIsDeleted() {
        try (VolumePool pool = VolumePoolTest.memoryPool(512)) {
            long capacity = pool.space().capacity();
            Volume v = pool.createVolume("v", capacity);
            PoolModel.Image model = new PoolModel.Image(capacity);
            write(v, model, 0, VolumePoolTest.random(4 * MIB, 1));
            Snapshot old = v.snapshot("old");
            write(v, model, 0, VolumePoolTest.random(4 * MIB, 2));
            write(v, model, 4L * MIB, VolumePoolTest.random(MIB, 3));
            Snapshot image = v.snapshot("image");
            PoolModel.Image imageModel = model.copy();
            Volume clone = pool.clone(image, "clone");
            PoolModel.Image cloneModel = model.copy();

            long position = 5L * MIB;
            long seed = 10;
            for (int chunk : new int[] {MIB, Blocks.SIZE}) {
                for (;; position += chunk) {
                    assertTrue(position + chunk <= capacity, "the volume is as large as the pool, yet the pool never filled");
                    byte[] data = VolumePoolTest.random(chunk, seed++);
                    if (!tryWrite(v, model, position, data)) {
                        break;
                    }
                }
            }
            assertTrue(pool.space().free() < RESERVE + Blocks.SIZE,
                    "only the reserve for deletes is left: " + pool.space());
            assertEquals(List.of(), pool.check(), "a full pool is consistent");

            long freeWhenFull = pool.space().free();
            byte[] overlapping = VolumePoolTest.random(2 * MIB + 1000, 20);
            long overlapAt = position - MIB - 777;
            byte[] oneByte = {42};
            byte[] overShared = VolumePoolTest.random(MIB - 2000, 21);
            long sharedAt = 4L * MIB + 1000;
            assertThrows(PoolNoSpaceException.class, () -> v.write(overlapAt, overlapping));
            assertThrows(PoolNoSpaceException.class, () -> v.write(capacity - 1, oneByte));
            assertThrows(PoolNoSpaceException.class, () -> clone.write(sharedAt, overShared),
                    "copying the blocks the clone shares with the image needs space");
            assertEquals(freeWhenFull, pool.space().free(), "refused writes take no space");
            PoolModel.assertContent("volume after refused writes", model, v, capacity);
            PoolModel.assertContent("clone after a refused write", cloneModel, clone, capacity);
            assertEquals(List.of(), pool.check());

            long reclaimable = old.space().reclaimable();
            assertTrue(reclaimable >= 4L * MIB, "the old snapshot alone holds the first 4 MiB: " + old.space());
            old.delete();
            assertEquals(freeWhenFull + reclaimable, pool.space().free(), "deleting the snapshot frees what it held");

            write(v, model, overlapAt, overlapping);
            write(v, model, capacity - 1, oneByte);
            write(clone, cloneModel, sharedAt, overShared);
            PoolModel.assertContent("volume", model, v, capacity);
            PoolModel.assertContent("clone", cloneModel, clone, capacity);
            PoolModel.assertContent("image", imageModel, image, capacity);
            assertEquals(List.of(), pool.check());
        }
    }

    private static void write(Volume v, PoolModel.Image model, long position, byte[] data) {
        v.write(position, data);
        model.write(position, data);
    }

    /** Writes, or, if the pool is full, checks that the refused write left the volume as it was. */
    private static boolean tryWrite(Volume v, PoolModel.Image model, long position, byte[] data) {
        try {
            write(v, model, position, data);
            return true;
        } catch (PoolNoSpaceException e) {
            assertArrayEquals(model.read(position, data.length), VolumePoolTest.read(v, position, data.length),
                    "the refused write at " + position + " left the old bytes");
            PoolModel.assertContent("volume after a refused write at " + position, model, v, 0);
            return false;
        }
    }
}
