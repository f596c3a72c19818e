package io.coems.examples;

import io.coems.vvm.Client;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.PoolSpace;
import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import io.coems.vvm.VolumeSpace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Fifty desktops from one golden image: a pool in a directory of sparse files, a golden system
 * volume installed and snapshotted, 50 clients registered with a clone each, every clone
 * diverging a little, one client hit by a virus and reverted to its last good snapshot, and a
 * table of clone and revert times, the space used against 50 full copies, and the reverted
 * client's history. Run with no argument (a temporary directory, removed afterwards) or with a
 * new directory to keep the pool in.
 */
public final class VolumePoolDemo {
    private static final int CLIENTS = 50;
    private static final int VICTIM = 17;
    private static final long MIB = 1L << 20;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final String[][] HARDWARE = {
        {"Intel Core i5-12500", "16 GiB", "Intel I219-LM"},
        {"AMD Ryzen 5 PRO 5650G", "32 GiB", "Realtek RTL8111H"},
        {"Intel Core i7-13700", "32 GiB", "Intel I226-V"}};

    private VolumePoolDemo() {
    }

    /**
     * Runs the demo; {@code args[0]}, if given, is a directory without a pool yet, which keeps the
     * pool afterwards. Exits with status 1 if a check fails.
     */
    public static void main(String[] args) throws IOException {
        boolean keep = args.length > 0;
        Path dir = keep ? Path.of(args[0]) : Files.createTempDirectory("coems-vvm-demo-");
        boolean passed;
        try {
            passed = run(dir);
        } finally {
            if (!keep) {
                DemoSupport.deleteTree(dir);
            }
        }
        if (!passed) {
            System.exit(1);
        }
    }

    private static boolean run(Path dir) {
        long demoStart = System.nanoTime();
        System.out.println("COEMS VolumePool demo: " + CLIENTS + " desktops from one golden image, pool in " + dir);
        PoolOptions options = PoolOptions.defaults().withFileBytes(4L << 30).withMaxBytes(64L << 30);

        step(1, "create a pool: sparse device files of " + (options.fileBytes() >> 30) + " GiB, growing up to "
                + (options.maxBytes() >> 30) + " GiB");
        try (VolumePool pool = VolumePool.create(dir, options)) {
            PoolSpace empty = pool.space();
            System.out.printf("   capacity %,d MiB, used %,d MiB (the empty pool: mostly its metadata journal)%n",
                    empty.capacity() / MIB, empty.used() / MIB);

            step(2, "install the golden environment on a thin volume of " + (GoldenImage.VOLUME_BYTES >> 30) + " GiB");
            Volume golden = pool.createVolume("golden", GoldenImage.VOLUME_BYTES);
            long start = System.nanoTime();
            long written = GoldenImage.install(golden, 2026);
            golden.flush();
            printRegions();
            long mapped = golden.mapped().stream().mapToLong(e -> e.length()).sum();
            System.out.printf("   %,d MiB written in %.1f s, content generated on the fly; the other %,d MiB are"
                    + " holes: zeros, no space%n", written / MIB, DemoSupport.seconds(start),
                    (GoldenImage.VOLUME_BYTES - mapped) / MIB);

            step(3, "snapshot it: the image every client boots from");
            start = System.nanoTime();
            Snapshot installed = golden.snapshot("installed");
            System.out.printf("   snapshot \"installed\" in %,d µs%n", micros(start));
            byte[] goldenSystem = GoldenImage.systemDigest(installed);
            System.out.println("   system area (first " + GoldenImage.SYSTEM_END / MIB + " MiB) SHA-256 "
                    + DemoSupport.hex(goldenSystem));

            step(4, "register " + CLIENTS + " clients and clone one volume each, assigned to it");
            List<Volume> desks = new ArrayList<>();
            long[] cloneNanos = new long[CLIENTS];
            for (int i = 1; i <= CLIENTS; i++) {
                Client client = register(pool, i);
                start = System.nanoTime();
                Volume desk = pool.clone(installed, client.name());
                cloneNanos[i - 1] = System.nanoTime() - start;
                pool.clients().assign(desk, client.id());
                desks.add(desk);
                if (i <= 2 || i == CLIENTS) {
                    System.out.printf("   %-6s %s  %-10s %-22s %-7s -> volume %s%n", client.name(), client.mac(),
                            client.ip(), client.hardware().get("cpu"), client.hardware().get("memory"), desk.name());
                } else if (i == 3) {
                    System.out.println("   ...");
                }
            }
            long cloneMean = Arrays.stream(cloneNanos).sum() / CLIENTS / 1000;
            long cloneMax = Arrays.stream(cloneNanos).max().orElseThrow() / 1000;
            System.out.printf("   %d clones: mean %,d µs, max %,d µs (each O(1) and durable on return: mostly the"
                    + " journal's flush)%n", CLIENTS, cloneMean, cloneMax);

            step(5, "let each client diverge: profile, logs, temporary files, configuration edits");
            start = System.nanoTime();
            long diverged = 0;
            for (int i = 0; i < CLIENTS; i++) {
                diverged += diverge(desks.get(i), 7000 + i);
            }
            pool.flush();
            System.out.printf("   %,d KiB written per client (partial blocks too), %,d MiB in all, in %.1f s%n",
                    diverged / CLIENTS / 1024, diverged / MIB, DemoSupport.seconds(start));

            Volume victim = desks.get(VICTIM - 1);
            step(6, "a virus on " + victim.name() + ": snapshot \"before-virus\", then garbage over its system area");
            byte[] profile = new byte[(int) MIB];
            victim.read(GoldenImage.HOME, profile);
            Snapshot beforeVirus = victim.snapshot("before-virus");
            SplittableRandom virus = new SplittableRandom(666);
            victim.write(0, GoldenImage.binary(virus, 512));
            for (long at = 2 * MIB; at < GoldenImage.SYSTEM_END; at += 24 * MIB) {
                victim.write(at + virus.nextInt(4096), GoldenImage.binary(virus, (int) MIB));
            }
            byte[] infected = GoldenImage.systemDigest(victim);
            boolean corrupted = !MessageDigest.isEqual(goldenSystem, infected);
            System.out.println("   system area SHA-256 " + DemoSupport.hex(infected) + " ("
                    + (corrupted ? "corrupted" : "UNCHANGED: the virus missed") + ")");
            victim.snapshot("infected");
            System.out.println("   snapshot \"infected\" kept for forensics");

            step(7, "revert " + victim.name() + " to \"before-virus\"");
            start = System.nanoTime();
            victim.revertTo(beforeVirus);
            long revertMicros = micros(start);
            byte[] healed = GoldenImage.systemDigest(victim);
            boolean restored = MessageDigest.isEqual(goldenSystem, healed);
            byte[] profileAfter = new byte[profile.length];
            victim.read(GoldenImage.HOME, profileAfter);
            boolean profileKept = Arrays.equals(profile, profileAfter);
            System.out.printf("   reverted in %,d µs; system area SHA-256 %s (%s); its own profile %s%n",
                    revertMicros, DemoSupport.hex(healed), restored ? "the golden's again" : "STILL DIFFERENT",
                    profileKept ? "kept" : "LOST");

            step(8, "results");
            PoolSpace space = pool.space();
            long goldenBytes = golden.space().allocated();
            long fullCopies = CLIENTS * goldenBytes;
            double saving = (double) fullCopies / space.used();
            double dataSaving = (double) fullCopies / (space.used() - empty.used());
            System.out.printf("   %-40s %,12d µs%n", "clone time, mean", cloneMean);
            System.out.printf("   %-40s %,12d µs%n", "clone time, max", cloneMax);
            System.out.printf("   %-40s %,12d µs%n", "revert time", revertMicros);
            System.out.printf("   %-40s %,12d MiB%n", "pool used: golden, " + CLIENTS + " clones, metadata",
                    space.used() / MIB);
            System.out.printf("   %-40s %,12d MiB%n", "  of which the empty pool", empty.used() / MIB);
            System.out.printf("   %-40s %,12d MiB%n", CLIENTS + " full copies of the golden's data", fullCopies / MIB);
            System.out.printf("   %-40s %12.1f x%n", "saving, whole pool", saving);
            System.out.printf("   %-40s %12.1f x%n", "saving, without the empty pool", dataSaving);

            System.out.println();
            System.out.printf("   %-24s %12s %12s %12s %12s%n", "space (MiB)", "allocated", "exclusive", "shared",
                    "reclaimable");
            printSpace("golden (volume)", golden.space());
            printSpace("golden@installed", installed.space());
            printSpace(desks.getFirst().name() + " (a clone)", desks.getFirst().space());
            printSpace(victim.name() + " (reverted)", victim.space());

            System.out.println();
            System.out.println("   history of " + victim.name() + " (live state from \""
                    + victim.origin().map(Snapshot::name).orElse("-") + "\")");
            System.out.printf("   %-14s %-12s %9s %14s  %s%n", "snapshot", "created", "size", "exclusive", "lineage");
            for (Snapshot s : victim.history()) {
                System.out.printf("   %-14s %-12s %,5d MiB %,10d KiB  %s%n", s.name(),
                        TIME.format(s.created()), s.size() / MIB, s.space().exclusive() / 1024,
                        lineage(pool, s));
            }

            List<String> problems = pool.check();
            boolean passed = corrupted && restored && profileKept && problems.isEmpty();
            System.out.println();
            System.out.printf("VERDICT: %s: %d clones at %,d µs each, a virus undone in %,d µs%s, %.1fx less space"
                    + " than full copies, pool check %s; %.1f s in all%n", passed ? "PASS" : "FAIL", CLIENTS,
                    cloneMean, revertMicros, restored && profileKept ? " bit for bit" : " INCOMPLETELY", saving,
                    problems.isEmpty() ? "clean" : problems.size() + " problems: " + problems, DemoSupport.seconds(demoStart));
            return passed;
        }
    }

    /** Registers desktop {@code i}: pc-NN with a MAC, an IP of 10.0.0.(10 + i) and its hardware. */
    private static Client register(VolumePool pool, int i) {
        String[] hw = HARDWARE[i % HARDWARE.length];
        return pool.clients().register(String.format("pc-%02d", i), String.format("52:54:00:c0:e5:%02x", i),
                "10.0.0." + (10 + i), Map.of("cpu", hw[0], "memory", hw[1], "nic", hw[2]),
                Map.of("room", "lab-" + (1 + (i - 1) / 25), "seat", Integer.toString(1 + (i - 1) % 25)));
    }

    /**
     * A client's working day on its clone: a 1 MiB profile and 2 MiB of temporary files in the
     * home area, log lines appended in small writes, and a few in-place edits of the
     * configuration and of small files shared with the golden image. Returns the bytes written.
     */
    private static long diverge(Volume desk, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long written = 0;
        desk.write(GoldenImage.HOME, GoldenImage.text(random, (int) MIB));
        desk.write(GoldenImage.HOME + 64 * MIB, GoldenImage.binary(random, (int) (2 * MIB)));
        written += 3 * MIB;
        long log = GoldenImage.HOME + 32 * MIB;
        for (int i = 0; i < 200; i++) {
            byte[] line = GoldenImage.text(random, 80 + random.nextInt(2000));
            desk.write(log, line);
            log += line.length;
            written += line.length;
        }
        for (int i = 0; i < 8; i++) {
            byte[] edit = GoldenImage.text(random, 300);
            desk.write(GoldenImage.CONFIG + random.nextLong(16 * MIB - edit.length), edit);
            written += edit.length;
        }
        return written;
    }

    private static void printRegions() {
        System.out.printf("   %-18s %10s %10s  %s%n", "region", "offset", "length", "content");
        for (GoldenImage.Region r : GoldenImage.REGIONS) {
            String length = r.length() < MIB ? r.length() + " B" : String.format("%,d MiB", r.length() / MIB);
            System.out.printf("   %-18s %,6d MiB %10s  %s%n", r.name(), r.offset() / MIB, length,
                    r.kind().name().toLowerCase().replace('_', ' '));
        }
    }

    private static void printSpace(String what, VolumeSpace s) {
        System.out.printf("   %-24s %,12.1f %,12.1f %,12.1f %,12.1f%n", what, mib(s.allocated()), mib(s.exclusive()),
                mib(s.shared()), mib(s.reclaimable()));
    }

    /** The snapshot, its parent, and so on back to the first: {@code a <- golden@installed}. */
    private static String lineage(VolumePool pool, Snapshot s) {
        StringBuilder chain = new StringBuilder(s.name());
        for (Optional<Snapshot> p = s.parent(); p.isPresent(); p = p.get().parent()) {
            Snapshot parent = p.get();
            chain.append(" <- ");
            if (parent.volumeId() != s.volumeId()) {
                chain.append(pool.volume(parent.volumeId()).name()).append('@');
            }
            chain.append(parent.name());
        }
        return chain.toString();
    }

    private static void step(int n, String what) {
        System.out.println();
        System.out.println(n + ". " + what);
    }

    private static double mib(long bytes) {
        return (double) bytes / MIB;
    }

    private static long micros(long startNanos) {
        return (System.nanoTime() - startNanos) / 1000;
    }
}
