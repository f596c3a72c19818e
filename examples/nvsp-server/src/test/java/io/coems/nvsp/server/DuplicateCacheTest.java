package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.server.DuplicateCache.Verdict;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class DuplicateCacheTest {
    private final DuplicateCache cache = new DuplicateCache(8);

    private static MemorySegment bytes(int... values) {
        byte[] array = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            array[i] = (byte) values[i];
        }
        return MemorySegment.ofArray(array);
    }

    @Test
    void aNewRequestIsExecutingUntilAnsweredThenItsResponseIsKept() {
        assertEquals(Verdict.NEW, cache.admit(1));
        assertEquals(Verdict.EXECUTING, cache.admit(1));
        cache.answered(1, bytes(9, 8, 7), 0, 3);
        assertEquals(Verdict.ANSWERED, cache.admit(1));
        MemorySegment copy = MemorySegment.ofArray(new byte[5]);
        assertEquals(3, cache.copyResponse(1, copy, 2));
        assertArrayEquals(new byte[] {0, 0, 9, 8, 7}, copy.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    @Test
    void aForgottenRequestIsNewAgain() {
        cache.admit(4);
        cache.forget(4);
        assertEquals(Verdict.NEW, cache.peek(4));
        assertEquals(-1, cache.copyResponse(4, MemorySegment.ofArray(new byte[8]), 0));
    }

    @Test
    void idsAtLeastCapacityBelowTheHighestAreStaleEvenIfNeverSeen() {
        cache.admit(20);
        assertEquals(Verdict.STALE, cache.admit(12));
        assertEquals(Verdict.STALE, cache.admit(3));
        assertEquals(Verdict.NEW, cache.admit(13));
        assertEquals(Verdict.NEW, cache.admit(21));
    }

    @Test
    void anAnsweredRequestPushedOutOfTheWindowIsStaleNotAnsweredAgain() {
        cache.admit(1);
        cache.answered(1, bytes(1), 0, 1);
        cache.admit(9);
        assertEquals(Verdict.STALE, cache.admit(1));
        assertEquals(-1, cache.copyResponse(1, MemorySegment.ofArray(new byte[8]), 0));
    }

    @Test
    void aLateCompletionDoesNotOverwriteTheRequestThatTookItsSlot() {
        cache.admit(1);
        cache.admit(9);
        cache.answered(1, bytes(1), 0, 1);
        assertEquals(Verdict.EXECUTING, cache.peek(9));
    }

    @Test
    void requestIdsCompareUnsigned() {
        cache.admit(-2);
        assertEquals(Verdict.NEW, cache.admit(-1));
        assertEquals(Verdict.STALE, cache.admit(5));
    }

    @Test
    void overlongResponsesAreRefused() {
        cache.admit(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cache.answered(1, MemorySegment.ofArray(new byte[64]), 0, DuplicateCache.MAX_RESPONSE + 1));
        assertEquals("a response of 33 bytes is too long to keep", e.getMessage());
    }
}
