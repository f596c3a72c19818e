package io.coems.vvm;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MemoryDevice;
import io.coems.matrix.device.PowerSupply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Power cuts in random VolumePool workloads on a NORMAL device or a RAID-1 pair: after reopening,
 * {@code check()} is empty, the configuration is exactly that of the changes that returned (the
 * one in flight wholly present or wholly absent), each volume sector holds its content at the last
 * durable point or a later write's, and each snapshot holds exactly its content when taken.
 *
 * <p>{@code -Dcoems.powercut.runs=N} sets the number of runs (default 150), and
 * {@code -Dcoems.powercut.seed=S} the first seed; a failure names the seed that replays it.
 * {@code -Dcoems.powercut.commitMillis=M} adds the periodic commit, whose thread then races the
 * workload for the cut (a seed no longer replays exactly).
 */
class VolumePoolPowerCutTest {
    /** The pool's options: no periodic commit, unless {@code -Dcoems.powercut.commitMillis} sets one. */
    private static final PoolOptions OPTIONS = VolumePoolTest.SMALL
            .withCommitMillis(Long.getLong("coems.powercut.commitMillis", 0));
    private static final long DEVICE_BLOCKS = 512;
    private static final int MAX_VOLUME_BLOCKS = 12;
    private static final int SECTOR = Blocks.SECTOR_SIZE;

    @Test
    void returnedChangesAndFlushedDataSurviveEveryCut() {
        int runs = Integer.getInteger("coems.powercut.runs", 150);
        long first = Long.getLong("coems.powercut.seed", new Random().nextLong());
        System.out.println("VolumePoolPowerCutTest: " + runs + " runs from -Dcoems.powercut.seed=" + first
                + ", commit every " + OPTIONS.commitMillis() + " ms");
        int inFlight = 0;
        int landed = 0;
        int uncut = 0;
        long changes = 0;
        for (int i = 0; i < runs; i++) {
            long seed = first + i;
            Outcome outcome;
            try {
                Run run = runOnce(seed);
                outcome = run.outcome();
                changes += run.changes();
            } catch (Throwable t) {
                throw new AssertionError("power-cut run failed; replay it with -Dcoems.powercut.seed=" + seed
                        + " -Dcoems.powercut.runs=1", t);
            }
            inFlight += outcome == Outcome.CUT_BEFORE_IN_FLIGHT || outcome == Outcome.IN_FLIGHT_LANDED ? 1 : 0;
            landed += outcome == Outcome.IN_FLIGHT_LANDED ? 1 : 0;
            uncut += outcome == Outcome.NO_CUT ? 1 : 0;
        }
        System.out.println("VolumePoolPowerCutTest: " + inFlight + " of " + runs
                + " cuts struck inside a configuration change (" + landed + " of those after it was durable), "
                + uncut + " after the whole workload; " + changes + " configuration changes returned before the cuts");
    }

    /**
     * A cut at every device operation of {@link VolumePool#create} and {@link VolumePool#close}:
     * they fail with a {@link PoolIoException} (not a raw matrix or SFS exception, nor a layout
     * complaint), and the media then open as a clean pool or are refused as holding none.
     */
    @Test
    void aCutWhileCreatingOrClosingAPoolFailsWithPoolIoException() {
        for (int n = 0; ; n++) {
            PowerSupply power = new PowerSupply();
            FaultInjectingDevice device = power.connect(new FaultInjectingDevice(new MemoryDevice("c", DEVICE_BLOCKS)));
            power.cutAfter(n, new Random(n));
            try {
                VolumePool.create(List.of(LbsSpec.normal(device)), OPTIONS).close();
                if (!power.isCut()) {
                    assertTrue(n > 10, "creating and closing a pool took " + n + " device operations");
                    return;
                }
            } catch (PoolIoException expected) {
                assertTrue(power.isCut(), "cut after " + n);
            } catch (RuntimeException e) {
                throw new AssertionError("cut after " + n + " device operations of create and close", e);
            }
            try (VolumePool back = VolumePool.open(List.of(new FaultInjectingDevice(device.media())), OPTIONS)) {
                assertEquals(List.of(), back.check(), "cut after " + n);
            } catch (PoolFormatException none) {
                // the cut struck before the pool record was durable: the media hold no pool
            }
        }
    }

    /**
     * How a run ended: the workload finished before the cut, the cut struck outside a
     * configuration change, or inside one that then was absent or present.
     */
    enum Outcome { NO_CUT, BETWEEN_CHANGES, CUT_BEFORE_IN_FLIGHT, IN_FLIGHT_LANDED }

    record Run(Outcome outcome, int changes) {
    }

    private static Run runOnce(long seed) {
        Random random = new Random(seed);
        boolean mirrored = random.nextBoolean();
        PowerSupply power = new PowerSupply();
        List<FaultInjectingDevice> devices = new ArrayList<>();
        for (int i = 0; i < (mirrored ? 2 : 1); i++) {
            devices.add(power.connect(new FaultInjectingDevice(new MemoryDevice("p" + i, DEVICE_BLOCKS))));
        }
        LbsSpec layout = mirrored ? LbsSpec.raid1(devices.toArray(BlockDevice[]::new)) : LbsSpec.normal(devices.getFirst());
        VolumePool pool = VolumePool.create(List.of(layout), OPTIONS);

        Workload work = new Workload(pool, random);
        Random cut = new Random(seed ^ 0x5DEECE66DL);
        // Half the cuts fall after a number of device operations (so mostly in the costliest steps),
        // half a few operations into a chosen step (so into every kind of step alike).
        int armAt = random.nextBoolean() ? -1 : random.nextInt(40);
        if (armAt < 0) {
            power.cutAfter(random.nextInt((work.dataHeavy ? 250 : 500) * (mirrored ? 2 : 1)), cut);
        }
        Model before = null;
        int changes = 0;
        for (int step = 0; step < 60 && !power.isCut(); step++) {
            if (step == armAt) {
                power.cutAfter(random.nextInt(mirrored ? 40 : 20), cut);
            }
            before = work.model.copy();
            boolean configuration = work.step(power);
            if (power.isCut()) {
                before = configuration ? before : null;
            } else if (configuration) {
                work.model.durablePoint();
                changes++;
            }
        }
        boolean cutInWorkload = power.isCut();
        if (!cutInWorkload) {
            before = null;
        }
        power.cut(cut);
        try {
            pool.close();
        } catch (RuntimeException expected) {
            // the devices have no power
        }

        List<BlockDevice> media = new ArrayList<>();
        for (FaultInjectingDevice d : devices) {
            media.add(new FaultInjectingDevice(d.media()));
        }
        Collections.shuffle(media, random);
        try (VolumePool back = VolumePool.open(media, OPTIONS)) {
            return verify(back, work, before, cutInWorkload, changes);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError((mirrored ? "RAID-1" : "NORMAL") + " pool, steps:\n  "
                    + String.join("\n  ", work.trace), e);
        }
    }

    /**
     * Asserts the reopened pool is the model with the change in flight ({@code before} the state
     * without it, null if none) wholly present or wholly absent: the configuration and all data of
     * one of the two. Returns how the run ended.
     */
    private static Run verify(VolumePool back, Workload work, Model before, boolean cutInWorkload, int changes) {
        assertEquals(List.of(), back.check(), "check after the cut");
        String found = describe(back);
        List<Model> candidates = new ArrayList<>(List.of(work.model));
        if (before != null) {
            candidates.add(before);
        }
        candidates.removeIf(m -> !m.describe().equals(found));
        if (candidates.isEmpty()) {
            assertEquals(work.model.describe(), found, before == null ? "the configuration after the cut"
                    : "the configuration after the cut, with the change in flight wholly present (or absent:\n"
                            + before.describe() + ")");
        }
        // A change may leave the configuration as it was (a revert to the origin): then its data tells.
        AssertionError mismatch = null;
        Model matched = null;
        for (Model m : candidates) {
            try {
                m.verifyData(back);
                matched = m;
                break;
            } catch (AssertionError e) {
                mismatch = mismatch == null ? e : mismatch;
            }
        }
        if (matched == null) {
            throw mismatch;
        }
        usableAfterwards(back, work.durableToken);
        return new Run(!cutInWorkload ? Outcome.NO_CUT : before == null ? Outcome.BETWEEN_CHANGES
                : matched == before ? Outcome.CUT_BEFORE_IN_FLIGHT : Outcome.IN_FLIGHT_LANDED, changes);
    }

    /**
     * The reopened pool takes new changes: a snapshot lands last in its volume's history, a new
     * volume, a lease whose fencing token is above every one issued before the cut, a clean check.
     */
    private static void usableAfterwards(VolumePool pool, long lastToken) {
        long token = pool.acquireLease("after-the-cut", Duration.ofHours(1)).token();
        assertTrue(token > lastToken, "fencing token " + token + " after the cut, " + lastToken + " was issued before");
        pool.releaseLease(token);
        for (Volume v : pool.volumes()) {
            Snapshot s = v.snapshot("after-the-cut");
            assertEquals(s, v.history().getLast(), "a new snapshot is the newest of " + v);
            if (!v.isReadOnly()) {
                v.write(0, new byte[] {1});
            }
        }
        pool.createVolume("after-the-cut", Blocks.SIZE);
        assertEquals(List.of(), pool.check(), "check after changes following the cut");
    }

    /**
     * The pool's configuration as text, everything named by name: each volume with its size,
     * flags, attributes, client, origin and history (each snapshot's size and parent), each client.
     */
    static String describe(VolumePool pool) {
        StringBuilder out = new StringBuilder();
        for (Volume v : pool.volumes()) {
            out.append("volume ").append(v.name()).append(" size=").append(v.size()).append(v.isReadOnly() ? " ro" : " rw")
                    .append(" attributes=").append(new TreeMap<>(v.attributes()))
                    .append(" client=").append(v.client().map(c -> pool.clients().client(c).name()).orElse("-"))
                    .append(" origin=").append(name(pool, v.origin())).append('\n');
            for (Snapshot s : v.history()) {
                out.append("  snapshot ").append(s.name()).append(" size=").append(s.size())
                        .append(" parent=").append(name(pool, s.parent())).append('\n');
            }
        }
        for (Client c : pool.clients().clients()) {
            out.append("client ").append(c.name()).append(' ').append(c.mac()).append(' ').append(c.ip()).append('\n');
        }
        return out.toString();
    }

    private static String name(VolumePool pool, Optional<Snapshot> snapshot) {
        return snapshot.map(s -> pool.volume(s.volumeId()).name() + "/" + s.name()).orElse("-");
    }

    // ------------------------------------------------------------------ the model

    /** A volume's expected state: configuration, and content as {@link Sectors}. */
    static final class Vol {
        String name;
        boolean readOnly;
        final TreeMap<String, String> attributes = new TreeMap<>();
        Integer client;
        Integer origin;
        Sectors data;

        Vol copy() {
            Vol v = new Vol();
            v.name = name;
            v.readOnly = readOnly;
            v.attributes.putAll(attributes);
            v.client = client;
            v.origin = origin;
            v.data = data.copy();
            return v;
        }
    }

    /** A snapshot's expected state; immutable once taken, so copies share it. */
    record Snap(int volume, String name, Integer parent, PoolModel.Image content) {
    }

    record Cl(String name, int n) {
    }

    /**
     * A volume's content: the {@link PoolModel.Image} after every write, and per 4 KiB sector written
     * since the last durable point its content then followed by every content a write gave it.
     */
    static final class Sectors {
        final PoolModel.Image current;
        final Map<Long, List<byte[]>> versions = new HashMap<>();

        Sectors(PoolModel.Image current) {
            this.current = current;
        }

        /** An independent copy. */
        Sectors copy() {
            Sectors s = new Sectors(current.copy());
            versions.forEach((sector, list) -> s.versions.put(sector, new ArrayList<>(list)));
            return s;
        }

        void write(long position, byte[] data) {
            long first = position / SECTOR;
            long last = (position + data.length - 1) / SECTOR;
            for (long sector = first; sector <= last; sector++) {
                long at = sector * SECTOR;
                versions.computeIfAbsent(sector, x -> new ArrayList<>(List.of(current.read(at, SECTOR))));
            }
            current.write(position, data);
            for (long sector = first; sector <= last; sector++) {
                versions.get(sector).add(current.read(sector * SECTOR, SECTOR));
            }
        }

        void resize(long size) {
            current.resize(size);
            versions.keySet().removeIf(sector -> sector * SECTOR >= size);
        }

        /** Asserts every sector of {@code volume} holds one of its allowed contents. */
        void verify(Volume volume) {
            assertEquals(current.size, volume.size(), volume + ": size");
            byte[] all = new byte[(int) current.size];
            volume.read(0, all);
            for (long sector = 0; sector * SECTOR < current.size; sector++) {
                long at = sector * SECTOR;
                byte[] got = Arrays.copyOfRange(all, (int) at, (int) at + SECTOR);
                List<byte[]> allowed = versions.getOrDefault(sector, List.of(current.read(at, SECTOR)));
                long s = sector;
                assertTrue(allowed.stream().anyMatch(v -> Arrays.equals(v, got)),
                        () -> volume + " sector " + s + " holds content no write gave it (" + allowed.size() + " allowed)");
            }
        }
    }

    /** The expected pool, objects keyed by the order they were made in. */
    static final class Model {
        final Map<Integer, Vol> volumes = new LinkedHashMap<>();
        final Map<Integer, Snap> snapshots = new LinkedHashMap<>();
        final Map<Integer, Cl> clients = new LinkedHashMap<>();

        Model copy() {
            Model m = new Model();
            volumes.forEach((k, v) -> m.volumes.put(k, v.copy()));
            m.snapshots.putAll(snapshots);
            m.clients.putAll(clients);
            return m;
        }

        /** A returned configuration change made every write before it durable (each SFS change commits them). */
        void durablePoint() {
            volumes.values().forEach(v -> v.data.versions.clear());
        }

        List<Integer> history(int volume) {
            return snapshots.entrySet().stream().filter(e -> e.getValue().volume() == volume).map(Map.Entry::getKey)
                    .toList();
        }

        /** As {@link VolumePoolPowerCutTest#describe(VolumePool)} would describe a pool in this state. */
        String describe() {
            StringBuilder out = new StringBuilder();
            List<Map.Entry<Integer, Vol>> byName = new ArrayList<>(volumes.entrySet());
            byName.sort(Map.Entry.comparingByValue(java.util.Comparator.comparing(v -> v.name)));
            for (Map.Entry<Integer, Vol> e : byName) {
                Vol v = e.getValue();
                out.append("volume ").append(v.name).append(" size=").append(v.data.current.size)
                        .append(v.readOnly ? " ro" : " rw").append(" attributes=").append(v.attributes)
                        .append(" client=").append(v.client == null ? "-" : clients.get(v.client).name())
                        .append(" origin=").append(snapshotName(v.origin)).append('\n');
                for (int s : history(e.getKey())) {
                    Snap snap = snapshots.get(s);
                    out.append("  snapshot ").append(snap.name()).append(" size=").append(snap.content().size)
                            .append(" parent=").append(snapshotName(snap.parent())).append('\n');
                }
            }
            clients.values().stream().sorted(java.util.Comparator.comparing(Cl::name)).forEach(c -> out.append("client ")
                    .append(c.name()).append(' ').append(String.format("02:00:00:00:00:%02x", c.n())).append(" 10.0.0.")
                    .append(c.n()).append('\n'));
            return out.toString();
        }

        private String snapshotName(Integer key) {
            Snap s = key == null ? null : snapshots.get(key);
            return s == null ? "-" : volumes.get(s.volume()).name + "/" + s.name();
        }

        /** Asserts each volume's sectors and each snapshot's exact content, found by name in {@code pool}. */
        void verifyData(VolumePool pool) {
            for (Map.Entry<Integer, Vol> e : volumes.entrySet()) {
                Volume volume = pool.volume(e.getValue().name);
                e.getValue().data.verify(volume);
                for (int s : history(e.getKey())) {
                    Snap snap = snapshots.get(s);
                    Snapshot found = volume.findSnapshot(snap.name()).orElseThrow();
                    byte[] all = new byte[(int) snap.content().size];
                    found.read(0, all);
                    assertArrayEquals(snap.content().read(0, all.length), all, found + " of " + volume + ": content");
                }
            }
        }
    }

    // ------------------------------------------------------------------ the workload

    /** Random changes and writes to a pool, mirrored in a {@link Model}, with the handles they returned. */
    static final class Workload {
        final VolumePool pool;
        final Random random;
        /** Whether most steps are writes and flushes, so that cuts strike data more often than changes. */
        final boolean dataHeavy;
        Model model = new Model();
        final Map<Integer, Volume> volumes = new HashMap<>();
        final Map<Integer, Snapshot> snapshots = new HashMap<>();
        final Map<Integer, Client> clients = new HashMap<>();
        /** The fencing token the last lease returned before the cut had, and the last one issued. */
        long durableToken;
        long issued;
        /** The steps done, for the failure message. */
        final List<String> trace = new ArrayList<>();
        int made;

        Workload(VolumePool pool, Random random) {
            this.pool = pool;
            this.random = random;
            this.dataHeavy = random.nextBoolean();
        }

        /**
         * Does one random step; returns whether it was a configuration change. The model is
         * changed before the pool, so after a cut it holds the state with the step done.
         */
        boolean step(PowerSupply power) {
            List<Integer> vols = new ArrayList<>(model.volumes.keySet());
            List<Integer> snaps = new ArrayList<>(model.snapshots.keySet());
            List<Integer> cls = new ArrayList<>(model.clients.keySet());
            Integer v = vols.isEmpty() ? null : vols.get(random.nextInt(vols.size()));
            Vol vol = v == null ? null : model.volumes.get(v);
            int op = dataHeavy && random.nextInt(10) < 7 ? 6 + random.nextInt(36) : random.nextInt(100);
            int key = ++made;
            if (v == null || op < 6 && vols.size() < 6) {
                Vol created = new Vol();
                created.name = "v" + key;
                created.data = new Sectors(new PoolModel.Image(Blocks.bytes(1 + random.nextInt(MAX_VOLUME_BLOCKS))));
                model.volumes.put(key, created);
                run(power, "create " + created.name + " of " + created.data.current.size, () -> volumes.put(key, pool.createVolume(created.name, created.data.current.size)));
                return true;
            }
            if (op < 34) {
                if (vol.readOnly) {
                    return false;
                }
                long size = vol.data.current.size;
                long position = random.nextBoolean() ? Blocks.bytes(random.nextInt((int) (size >>> Blocks.SHIFT)))
                        : random.nextLong(size);
                int length = (int) Math.min(size - position, random.nextBoolean() ? SECTOR : 1 + random.nextInt(70_000));
                byte[] data = new byte[length];
                random.nextBytes(data);
                boolean discard = random.nextInt(6) == 0;
                vol.data.write(position, discard ? new byte[length] : data);
                run(power, (discard ? "discard " : "write ") + vol.name + " at " + position + " +" + length, () -> {
                    if (discard) {
                        volumes.get(v).discard(position, length);
                    } else {
                        volumes.get(v).write(position, data);
                    }
                });
                return false;
            }
            if (op < 42) {
                run(power, "flush", pool::flush);
                if (!power.isCut()) {
                    model.durablePoint();
                }
                return false;
            }
            if (op < 54 && model.history(v).size() < 6) {
                Snap snap = new Snap(v, "s" + key, vol.origin, vol.data.current.copy());
                model.snapshots.put(key, snap);
                vol.origin = key;
                run(power, "snapshot " + vol.name + "/" + snap.name(), () -> snapshots.put(key, volumes.get(v).snapshot(snap.name())));
                return true;
            }
            List<Integer> own = model.history(v);
            if (op < 59 && !own.isEmpty()) {
                int target = own.get(random.nextInt(own.size()));
                vol.origin = target;
                vol.data = new Sectors(model.snapshots.get(target).content().copy());
                run(power, "revert " + vol.name + " to " + model.snapshots.get(target).name(), () -> volumes.get(v).revertTo(snapshots.get(target)));
                return true;
            }
            if (op < 64 && !snaps.isEmpty() && vols.size() < 6) {
                int source = snaps.get(random.nextInt(snaps.size()));
                Vol clone = new Vol();
                clone.name = "c" + key;
                clone.origin = source;
                clone.data = new Sectors(model.snapshots.get(source).content().copy());
                model.volumes.put(key, clone);
                run(power, "clone " + model.snapshots.get(source).name() + " as " + clone.name, () -> volumes.put(key, pool.clone(snapshots.get(source), clone.name)));
                return true;
            }
            if (op < 68 && !snaps.isEmpty()) {
                int gone = snaps.get(random.nextInt(snaps.size()));
                String goneName = model.snapshots.remove(gone).name();
                run(power, "delete snapshot " + goneName, () -> snapshots.get(gone).delete());
                return true;
            }
            if (op < 71) {
                model.volumes.remove(v);
                own.forEach(model.snapshots::remove);
                run(power, "delete volume " + vol.name, () -> volumes.get(v).delete());
                return true;
            }
            if (op < 74) {
                String oldName = vol.name;
                vol.name = "r" + key;
                run(power, "rename " + oldName + " to " + vol.name, () -> volumes.get(v).rename(vol.name));
                return true;
            }
            if (op < 78) {
                String attribute = "k" + random.nextInt(3);
                String value = random.nextInt(3) == 0 ? null : "x".repeat(random.nextInt(40)) + key;
                if (value == null) {
                    vol.attributes.remove(attribute);
                } else {
                    vol.attributes.put(attribute, value);
                }
                run(power, "attribute " + vol.name + " " + attribute + "=" + value, () -> volumes.get(v).setAttribute(attribute, value));
                return true;
            }
            if (op < 80) {
                vol.readOnly = !vol.readOnly;
                run(power, "read-only " + vol.name + " " + vol.readOnly, () -> volumes.get(v).setReadOnly(vol.readOnly));
                return true;
            }
            if (op < 83) {
                long size = Blocks.bytes(1 + random.nextInt(MAX_VOLUME_BLOCKS));
                vol.data.resize(size);
                run(power, "resize " + vol.name + " to " + size, () -> volumes.get(v).resize(size, true));
                return true;
            }
            if (op == 83) {
                run(power, "acquire and release the lease", () -> {
                    issued = pool.acquireLease("admin", Duration.ofHours(1)).token();
                    pool.releaseLease(issued);
                });
                if (!power.isCut()) {
                    durableToken = issued;
                }
                return true;
            }
            if (op < 86 || cls.isEmpty()) {
                Cl client = new Cl("pc" + key, key % 250 + 1);
                if (model.clients.values().stream().anyMatch(c -> c.n() == client.n())) {
                    return false;
                }
                model.clients.put(key, client);
                run(power, "register " + client.name(), () -> clients.put(key, PoolFixtures.client(pool, client.name(), client.n())));
                return true;
            }
            int c = cls.get(random.nextInt(cls.size()));
            if (op < 91) {
                String goneClient = model.clients.remove(c).name();
                model.volumes.values().stream().filter(x -> Integer.valueOf(c).equals(x.client)).forEach(x -> x.client = null);
                run(power, "remove client " + goneClient, () -> pool.clients().remove(clients.get(c).id()));
            } else if (op < 97) {
                vol.client = c;
                run(power, "assign " + vol.name + " to " + model.clients.get(c).name(), () -> pool.clients().assign(volumes.get(v), clients.get(c).id()));
            } else {
                vol.client = null;
                run(power, "unassign " + vol.name, () -> pool.clients().unassign(volumes.get(v)));
            }
            return true;
        }

        /** Runs a step on the pool, noting it in the trace; a failure is the cut's, or the test fails. */
        private void run(PowerSupply power, String what, Runnable step) {
            trace.add(what);
            try {
                step.run();
            } catch (RuntimeException e) {
                if (!power.isCut()) {
                    fail("a step failed with the power on: " + what, e);
                }
                if (!(e instanceof PoolIoException)) {
                    fail("a step failed for the cut with " + e.getClass().getName() + ", not a PoolIoException: "
                            + what, e);
                }
            }
            if (power.isCut()) {
                trace.set(trace.size() - 1, what + "   <- the power was cut during this step");
            }
        }
    }
}
