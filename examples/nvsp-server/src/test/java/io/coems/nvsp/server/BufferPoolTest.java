package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.crypto.SessionKeys;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
    private static final Session SESSION = new Session(1, new ClientState(1, "c", 1, 0, 0, 0),
            SessionKeys.derive(new byte[32], new byte[16], new byte[16], 1), SecurityMode.ENCRYPTED, 1408, 1,
            new byte[0], null, new byte[32], new InetSocketAddress(0), 1, 0);

    private final BufferPool pool = new BufferPool(2, 4096);

    @Test
    void aResponseIsKeptBeforeItIsSentAndNotReusedUntilItsSenderUnpinsIt() {
        BufferPool.Buffer response = pool.take();
        BufferPool.Buffer replacement = pool.keep(response, SESSION, 7, 3000);
        assertNotSame(response, replacement);
        BufferPool.Buffer nack = pool.pin(SESSION, 7);
        assertSame(response, nack, "a NACK that overtakes the send finds the response");
        pool.unpin(nack);
        assertNull(pool.take(), "the response being sent is pinned: its buffer is not handed out");
        pool.unpin(response);
        assertSame(response, pool.take(), "once sent, the oldest kept response gives way to a new one");
        assertNull(pool.pin(SESSION, 7));
    }

    @Test
    void withoutAReplacementTheResponseIsNeitherKeptNorPinned() {
        BufferPool.Buffer first = pool.take();
        BufferPool.Buffer second = pool.take();
        assertSame(second, pool.keep(second, SESSION, 8, 3000));
        assertNull(pool.pin(SESSION, 8));
        pool.give(second);
        pool.give(first);
        assertSame(second, pool.take());
    }
}
