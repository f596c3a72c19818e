package io.coems.nvsp.client;

import java.util.Random;

/** Reproducible test data. */
final class TestBytes {
    private TestBytes() {
    }

    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }
}
