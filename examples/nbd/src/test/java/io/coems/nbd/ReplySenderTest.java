package io.coems.nbd;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replies from many threads, whole and each landed once; when the stream is flushed; a broken stream. */
class ReplySenderTest {

    /** Reply {@code id}: its id, then {@code id % 500} bytes of its low byte, so that a torn reply shows. */
    private static ReplySender.Reply reply(int id) {
        return out -> {
            out.writeInt(id);
            for (int i = 0; i < id % 500; i++) {
                out.write(id);
            }
        };
    }

    @Test
    void repliesFromManyThreadsAreWrittenWholeAndEachLandsOnce() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReplySender sender = new ReplySender(new DataOutputStream(bytes));
        int threads = 8;
        int each = 300;
        AtomicInteger landed = new AtomicInteger();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t * each;
            started.add(Thread.ofVirtual().start(() -> {
                for (int id = first; id < first + each; id++) {
                    try {
                        sender.send(reply(id), landed::incrementAndGet);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }));
        }
        for (Thread t : started) {
            t.join();
        }
        sender.readerIdle();
        assertEquals(threads * each, landed.get());
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        Set<Integer> seen = new HashSet<>();
        while (in.available() > 0) {
            int id = in.readInt();
            for (int i = 0; i < id % 500; i++) {
                assertEquals((byte) id, (byte) in.read(), "reply " + id + " is torn");
            }
            assertTrue(seen.add(id), "reply " + id + " twice");
        }
        assertEquals(threads * each, seen.size());
    }

    @Test
    void aBusyReaderFlushesTheRepliesBeforeItWaits() throws IOException {
        AtomicInteger flushes = new AtomicInteger();
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                sent.write(b);
            }

            @Override
            public void flush() {
                flushes.incrementAndGet();
            }
        };
        ReplySender sender = new ReplySender(new DataOutputStream(counting));
        sender.readerBusy();
        sender.send(reply(1), () -> { });
        sender.send(reply(2), () -> { });
        assertEquals(0, flushes.get(), "the busy reader flushes later");
        sender.readerIdle();
        assertEquals(1, flushes.get());
        sender.send(reply(3), () -> { });
        assertEquals(2, flushes.get(), "an idle reader leaves the flush to the writer");
        assertEquals(3 * 4 + 1 + 2 + 3, sent.size());
    }

    @Test
    void aBrokenStreamFailsTheWriterAndEveryReplyStillLands() throws IOException {
        OutputStream failing = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        ReplySender sender = new ReplySender(new DataOutputStream(failing));
        AtomicInteger landed = new AtomicInteger();
        assertEquals("Broken pipe", assertThrows(IOException.class, () -> sender.send(reply(7), landed::incrementAndGet)).getMessage());
        sender.send(reply(8), landed::incrementAndGet); // dropped: the stream is broken
        sender.readerIdle();
        assertEquals(2, landed.get());
    }
}
