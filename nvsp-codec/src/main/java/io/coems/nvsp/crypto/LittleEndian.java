package io.coems.nvsp.crypto;

/** Writes 64-bit values into byte arrays in the wire's little-endian order. */
final class LittleEndian {
    private LittleEndian() {
    }

    static void put(long value, byte[] dst, int at) {
        for (int i = 0; i < Long.BYTES; i++) {
            dst[at + i] = (byte) (value >>> (i * Byte.SIZE));
        }
    }
}
