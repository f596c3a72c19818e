package io.coems.vvm;

import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared helpers of the edge-case tests: small pools, a manual clock, an event recorder, and a whole-pool fingerprint. */
final class PoolFixtures {
    /** Directory pools of 64 MiB files (sparse) up to 256 MiB, no periodic commit. */
    static final PoolOptions DIR = PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES)
            .withMaxBytes(256L << 20).withCommitMillis(0);

    private PoolFixtures() {
    }

    /**
     * Fills {@code pool} with volume "v" (4 MiB, 5000 bytes written), its snapshot "s", and client
     * "pc" (MAC 02:00:00:00:00:01, IP 10.0.0.1); returns the pool.
     */
    static VolumePool populate(VolumePool pool) {
        Volume v = pool.createVolume("v", 4L << 20);
        v.write(1000, VolumePoolTest.random(5000, 1));
        v.snapshot("s");
        client(pool, "pc", 1);
        return pool;
    }

    /**
     * Asserts {@code call} throws exactly {@code type} whose message contains every one of
     * {@code named}, and returns it.
     */
    static <T extends Throwable> T refused(Class<T> type, Executable call, String... named) {
        T e = assertThrows(type, call);
        assertEquals(type, e.getClass(), () -> "exact type; got " + e);
        for (String n : named) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(n),
                    () -> "message should name " + n + ": " + e.getMessage());
        }
        return e;
    }

    /**
     * Asserts {@code call} throws exactly {@code type} naming {@code named}, and that the pool
     * is the same afterwards as before.
     */
    static <T extends Throwable> T refusedAndUnchanged(VolumePool pool, Class<T> type, Executable call,
            String... named) {
        String before = fingerprint(pool);
        T e = refused(type, call, named);
        assertEquals(before, fingerprint(pool), "nothing changed");
        return e;
    }

    /**
     * Everything observable about the pool: each volume with its size, flags, attributes,
     * client, a hash of its content and its snapshots (with their content); the clients; the
     * free space.
     */
    static String fingerprint(VolumePool pool) {
        StringBuilder out = new StringBuilder();
        for (Volume v : pool.volumes()) {
            out.append("volume ").append(v.id()).append(' ').append(v.name()).append(' ').append(v.size())
                    .append(v.isReadOnly() ? " ro " : " rw ").append(new java.util.TreeMap<>(v.attributes()))
                    .append(" client=").append(v.client().orElse(0L)).append(" data=").append(content(v))
                    .append(" origin=").append(v.origin().map(Snapshot::id).orElse(0L)).append('\n');
            for (Snapshot s : v.history()) {
                out.append("  snapshot ").append(s.id()).append(' ').append(s.name()).append(' ').append(s.size())
                        .append(" data=").append(content(s)).append('\n');
            }
        }
        for (Client c : pool.clients().clients()) {
            out.append(c).append('\n');
        }
        out.append("free ").append(pool.space().free());
        return out.toString();
    }

    /** A hash of the image's mapped bytes and where they are. */
    private static int content(BlockImage image) {
        int hash = image.mapped().hashCode();
        for (Extent e : image.mapped()) {
            byte[] data = new byte[(int) e.length()];
            image.read(e.offset(), data);
            hash = 31 * hash + Arrays.hashCode(data);
        }
        return hash;
    }

    /** Registers a client named {@code name} with MAC {@code 02:00:00:00:00:nn} and IP {@code 10.0.0.nn}. */
    static Client client(VolumePool pool, String name, int n) {
        return pool.clients().register(name, String.format("02:00:00:00:00:%02x", n), "10.0.0." + n,
                Map.of("cpu", "x86-64"), Map.of());
    }

    /** A clock that moves only when told. */
    static final class ManualClock implements InstantSource {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }
    }

    /** Collects the events told to it. */
    static final class Recorder implements PoolListener {
        final List<PoolEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void changed(PoolEvent event) {
            events.add(event);
        }

        List<PoolEvent.Kind> kinds() {
            return events.stream().map(PoolEvent::kind).toList();
        }

        /** The events so far, forgotten. */
        List<PoolEvent> take() {
            List<PoolEvent> seen = List.copyOf(events);
            events.clear();
            return seen;
        }
    }
}
