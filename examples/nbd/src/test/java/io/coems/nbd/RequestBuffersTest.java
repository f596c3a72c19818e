package io.coems.nbd;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Buffer sizes, reuse, and how many are kept. */
class RequestBuffersTest {

    @Test
    void sizesArePowersOfTwoFrom64KiBTo1MiB() {
        RequestBuffers buffers = new RequestBuffers(2);
        assertEquals(64 << 10, buffers.take(0).length);
        assertEquals(64 << 10, buffers.take(1).length);
        assertEquals(64 << 10, buffers.take(64 << 10).length);
        assertEquals(128 << 10, buffers.take((64 << 10) + 1).length);
        assertEquals(512 << 10, buffers.take(300_000).length);
        assertEquals(1 << 20, buffers.take(1 << 20).length);
        assertEquals(1 << 20, buffers.take((1L << 32) - 1).length, "longer data moves through 1 MiB in pieces");
    }

    @Test
    void buffersGivenBackAreReusedUpToTheLimitPerSize() {
        RequestBuffers buffers = new RequestBuffers(2);
        byte[] a = buffers.take(4096);
        byte[] b = buffers.take(4096);
        byte[] c = buffers.take(4096);
        byte[] big = buffers.take(1 << 20);
        buffers.give(a);
        buffers.give(b);
        buffers.give(c); // a third of its size: dropped
        buffers.give(big);
        assertSame(big, buffers.take(700_000));
        byte[] first = buffers.take(100);
        byte[] second = buffers.take(100);
        assertSame(b, first);
        assertSame(a, second);
        assertNotSame(c, buffers.take(100));
    }
}
