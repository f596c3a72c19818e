package io.coems.matrix.lbs;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises the operations on one stripe (parity updates, mirror writes, degraded reads,
 * rebuild, scrub) with a fixed array of locks that stripes hash onto.
 */
final class StripeLocks {
    private static final int COUNT = 1024;
    private final ReentrantLock[] locks = new ReentrantLock[COUNT];

    StripeLocks() {
        for (int i = 0; i < COUNT; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    ReentrantLock of(long stripe) {
        long h = stripe * 0x9E3779B97F4A7C15L;
        return locks[(int) (h >>> 54)];
    }
}
