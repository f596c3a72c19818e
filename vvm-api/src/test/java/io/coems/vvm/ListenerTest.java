package io.coems.vvm;

import io.coems.matrix.Blocks;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.coems.vvm.PoolEvent.Kind.CLIENT_CHANGED;
import static io.coems.vvm.PoolEvent.Kind.CLIENT_REGISTERED;
import static io.coems.vvm.PoolEvent.Kind.CLIENT_REMOVED;
import static io.coems.vvm.PoolEvent.Kind.LOW_SPACE;
import static io.coems.vvm.PoolEvent.Kind.SNAPSHOT_CREATED;
import static io.coems.vvm.PoolEvent.Kind.SNAPSHOT_DELETED;
import static io.coems.vvm.PoolEvent.Kind.VOLUME_CHANGED;
import static io.coems.vvm.PoolEvent.Kind.VOLUME_CREATED;
import static io.coems.vvm.PoolEvent.Kind.VOLUME_DELETED;
import static io.coems.vvm.VolumePoolTest.memoryPool;
import static io.coems.vvm.VolumePoolTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listeners hear of every volume, snapshot, client and low-space change exactly once, and cannot undo them. */
class ListenerTest {
    private static final long MIB = 1L << 20;

    @Test
    void everyVolumeAndSnapshotChangeIsTold() {
        try (VolumePool pool = memoryPool(1024)) {
            PoolFixtures.Recorder heard = new PoolFixtures.Recorder();
            pool.addListener(heard);
            Volume v = pool.createVolume("v", MIB);
            assertEquals(List.of(new PoolEvent(VOLUME_CREATED, v.id(), "v")), heard.take());
            Snapshot s = v.snapshot("s");
            assertEquals(List.of(new PoolEvent(SNAPSHOT_CREATED, s.id(), "s")), heard.take());
            Volume c = pool.clone(s, "c");
            assertEquals(List.of(new PoolEvent(VOLUME_CREATED, c.id(), "c")), heard.take());

            v.rename("w");
            v.resize(2 * MIB, false);
            v.setReadOnly(true);
            v.setReadOnly(false);
            v.setAttribute("os", "linux");
            v.setAttribute("os", null);
            v.revertTo(s);
            assertEquals(java.util.Collections.nCopies(7, new PoolEvent(VOLUME_CHANGED, v.id(), "w")), heard.take());

            v.write(0, new byte[100]);
            v.read(0, new byte[100]);
            v.flush();
            assertEquals(List.of(), heard.take(), "I/O is not a configuration change");

            Snapshot t = v.snapshot("t");
            t.delete();
            assertEquals(List.of(new PoolEvent(SNAPSHOT_CREATED, t.id(), "t"), new PoolEvent(SNAPSHOT_DELETED, t.id(), "t")),
                    heard.take());
            v.delete();
            assertEquals(List.of(new PoolEvent(VOLUME_DELETED, v.id(), "w")), heard.take());
            assertEquals(List.of("c"), pool.volumes().stream().map(Volume::name).toList());
        }
    }

    @Test
    void everyClientChangeAndAssignmentIsTold() {
        try (VolumePool pool = memoryPool(1024)) {
            Volume v = pool.createVolume("v", MIB);
            PoolFixtures.Recorder heard = new PoolFixtures.Recorder();
            pool.addListener(heard);
            Client pc = PoolFixtures.client(pool, "pc", 1);
            assertEquals(List.of(new PoolEvent(CLIENT_REGISTERED, pc.id(), "pc")), heard.take());
            pool.clients().update(pc.withName("pc-1"));
            assertEquals(List.of(new PoolEvent(CLIENT_CHANGED, pc.id(), "pc-1")), heard.take());
            pool.clients().assign(v, pc.id());
            pool.clients().assignByIp(v, "10.0.0.1");
            pool.clients().unassign(v);
            assertEquals(java.util.Collections.nCopies(3, new PoolEvent(VOLUME_CHANGED, v.id(), "v")), heard.take());
            pool.clients().assign(v, pc.id());
            heard.take();
            pool.clients().remove(pc.id());
            assertEquals(List.of(new PoolEvent(VOLUME_CHANGED, v.id(), "v"), new PoolEvent(CLIENT_REMOVED, pc.id(), "pc-1")),
                    heard.take(), "the volume it held was unassigned");
        }
    }

    @Test
    void refusedChangesAreNotTold() {
        try (VolumePool pool = memoryPool(1024)) {
            Volume v = pool.createVolume("v", MIB);
            PoolFixtures.client(pool, "pc", 1);
            PoolFixtures.Recorder heard = new PoolFixtures.Recorder();
            pool.addListener(heard);
            assertThrows(PoolArgumentException.class, () -> pool.createVolume("v", MIB));
            assertThrows(PoolArgumentException.class, () -> v.resize(1, false));
            assertThrows(PoolArgumentException.class, () -> v.snapshot(""));
            assertThrows(PoolArgumentException.class, () -> PoolFixtures.client(pool, "pc", 2));
            pool.acquireLease("console", java.time.Duration.ofMinutes(1));
            assertThrows(PoolLeaseException.class, () -> v.rename("x"));
            assertEquals(List.of(), heard.events);
        }
    }

    @Test
    void lowSpaceIsToldOncePerFallBelowTheThreshold() {
        try (VolumePool pool = memoryPool(1024)) {
            PoolFixtures.Recorder heard = new PoolFixtures.Recorder();
            pool.addListener(heard);
            long threshold = pool.space().free() - 8 * MIB;
            pool.lowSpaceThreshold(threshold);
            assertEquals(List.of(), heard.take(), "not low yet");
            Volume v = pool.createVolume("v", 32 * MIB);
            heard.take();
            byte[] chunk = random(Blocks.SIZE, 1);
            long at = 0;
            while (pool.space().free() >= threshold) {
                v.write(at, chunk);
                at += chunk.length;
            }
            List<PoolEvent> fall = heard.take();
            assertEquals(List.of(LOW_SPACE), fall.stream().map(PoolEvent::kind).toList(),
                    "the write that crossed the threshold told it");
            assertEquals(0, fall.getFirst().id());
            assertTrue(Long.parseLong(fall.getFirst().name()) < threshold, fall.getFirst().name());
            for (int i = 0; i < 16; i++) {
                v.write(at, chunk);
                at += chunk.length;
            }
            assertEquals(List.of(), heard.take(), "once per fall, not once per write");

            v.delete();
            assertTrue(pool.space().free() >= threshold);
            Volume again = pool.createVolume("again", 32 * MIB);
            assertEquals(List.of(VOLUME_DELETED, VOLUME_CREATED), heard.kinds(), "no low-space event while not low");
            heard.take();
            for (at = 0; pool.space().free() >= threshold; at += chunk.length) {
                again.write(at, chunk);
            }
            assertEquals(List.of(LOW_SPACE), heard.take().stream().map(PoolEvent::kind).toList(),
                    "a second fall is told again");

            pool.lowSpaceThreshold(0);
            again.write(at, chunk);
            assertEquals(List.of(), heard.take(), "0 turns it off");
            assertThrows(PoolArgumentException.class, () -> pool.lowSpaceThreshold(-1));
        }
    }

    /**
     * I/O never waits for a configuration change: while one is under way (here held up in a
     * listener), writes that are due to look at the free space for the low-space event go on, and
     * the event still comes once the way is clear.
     */
    @Test
    void writesDueForASpaceCheckDoNotWaitForAConfigurationChange() throws Exception {
        try (VolumePool pool = memoryPool(1024)) {
            Volume v = pool.createVolume("v", 16 * MIB);
            PoolFixtures.Recorder heard = new PoolFixtures.Recorder();
            pool.addListener(heard);
            java.util.concurrent.CountDownLatch inChange = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            pool.addListener(event -> {
                if (event.kind() == VOLUME_CREATED) {
                    inChange.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            pool.lowSpaceThreshold(pool.space().free() - MIB);
            Thread change = Thread.ofPlatform().start(() -> pool.createVolume("slow", MIB));
            assertTrue(inChange.await(10, java.util.concurrent.TimeUnit.SECONDS));
            try {
                var writes = java.util.concurrent.Executors.newSingleThreadExecutor();
                var done = writes.submit(() -> {
                    for (int i = 0; i < 4; i++) {
                        Thread.sleep(60);
                        v.write((long) i * MIB, random((int) MIB, i));
                    }
                    return null;
                });
                done.get(5, java.util.concurrent.TimeUnit.SECONDS);
                writes.shutdown();
            } finally {
                release.countDown();
                change.join();
            }
            v.write(0, new byte[1]);
            assertTrue(heard.kinds().contains(LOW_SPACE), "the pending space check ran: " + heard.kinds());
        }
    }

    @Test
    void aThrowingListenerDoesNotUndoTheChangeNorSilenceTheOthers() {
        try (VolumePool pool = memoryPool(1024)) {
            PoolListener broken = event -> {
                throw new IllegalStateException("listener bug");
            };
            PoolFixtures.Recorder before = new PoolFixtures.Recorder();
            PoolFixtures.Recorder after = new PoolFixtures.Recorder();
            pool.addListener(before);
            pool.addListener(broken);
            pool.addListener(after);
            Volume v = pool.createVolume("v", MIB);
            v.snapshot("s");
            PoolFixtures.client(pool, "pc", 1);
            assertEquals(List.of(VOLUME_CREATED, SNAPSHOT_CREATED, CLIENT_REGISTERED), before.kinds());
            assertEquals(before.events, after.events);
            assertEquals("v", pool.volume("v").name());
            assertEquals(1, v.history().size());
            assertTrue(pool.clients().findByName("pc").isPresent());

            pool.removeListener(before);
            pool.removeListener(broken);
            v.setAttribute("k", "v");
            assertEquals(3, before.events.size(), "a removed listener hears nothing");
            assertEquals(Map.of("k", "v"), v.attributes());
            assertEquals(VOLUME_CHANGED, after.events.getLast().kind());
        }
    }
}
