package io.coems.sfs;

import io.coems.matrix.StorageMatrix;
import io.coems.sfs.CrashModel.VnodeModel;
import io.coems.sfs.KillWorkload.Create;
import io.coems.sfs.KillWorkload.CreateDescriptor;
import io.coems.sfs.KillWorkload.Delete;
import io.coems.sfs.KillWorkload.Discard;
import io.coems.sfs.KillWorkload.Flush;
import io.coems.sfs.KillWorkload.FreeDescriptor;
import io.coems.sfs.KillWorkload.Op;
import io.coems.sfs.KillWorkload.Ops;
import io.coems.sfs.KillWorkload.Spawn;
import io.coems.sfs.KillWorkload.UpdateDescriptor;
import io.coems.sfs.KillWorkload.Write;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real process crashes: a child JVM ({@link KillWorkload}) runs a seeded workload on SFS over
 * memory-mapped files and is killed with SIGKILL at a seeded random moment. The kernel keeps
 * every store made through the mappings, so the kill loses only what was still in the child's
 * memory, and a copy into a mapping may stop halfway through a sector. The parent replays the
 * seed's operation list without I/O up to the first durable operation the child's ledger does
 * not acknowledge, reopens the files and checks: {@code check()} is clean; every vnode and
 * descriptor an acknowledged operation created is there with the right content, and those it
 * deleted or freed are gone; every sector of every vnode holds its content at the last
 * acknowledged durable point, a content a later write gave it, or a mix of two successive ones.
 *
 * <p>{@code -Dcoems.kill.rounds=N} sets the number of rounds (default 12), and
 * {@code -Dcoems.kill.seed=S} the first seed; a failure names the seed, which replays its
 * workload and kill delay (where the kill lands still depends on timing).
 */
class ProcessKillTest {
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final Path TMPFS = Path.of("/dev/shm");

    @Test
    void acknowledgedStateSurvivesSigkill(@TempDir Path tmp) throws IOException {
        int rounds = Integer.getInteger("coems.kill.rounds", 12);
        long first = Long.getLong("coems.kill.seed", new Random().nextLong());
        for (int i = 0; i < rounds; i++) {
            long seed = first + i;
            Path dir = Files.createTempDirectory(onTmpfs(seed) ? TMPFS : tmp, "coems-kill");
            try {
                round(seed, dir);
            } catch (Throwable t) {
                throw new AssertionError("process-kill round failed; replay it with -Dcoems.kill.seed=" + seed
                        + " -Dcoems.kill.rounds=1", t);
            } finally {
                deleteTree(dir);
            }
        }
    }

    private static void round(long seed, Path dir) throws Exception {
        long delay = 100 + new SplittableRandom(seed ^ 0x6B696C6CL).nextInt(1400);
        Path stderr = dir.resolve("child.err");
        Process child = new ProcessBuilder(javaCommand(), "-cp", classPath(), KillWorkload.class.getName(),
                Long.toString(seed), dir.toString())
                .redirectError(stderr.toFile())
                .start();
        try {
            String line = CompletableFuture.supplyAsync(() -> readLine(child))
                    .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(KillWorkload.READY, line, () -> "the child did not start: " + read(stderr));
            Thread.sleep(delay);
            assertTrue(child.isAlive(), () -> "the child died before the kill: " + read(stderr));
        } finally {
            child.toHandle().destroyForcibly();
            child.waitFor();
            child.getInputStream().close();
            child.getOutputStream().close();
        }
        Replay replay = new Replay(seed, readLedger(dir.resolve(KillWorkload.LEDGER)));
        try (StorageMatrix matrix = StorageMatrix.openFiles(KillWorkload.devices(dir, seed));
                SuperFileSystem back = SuperFileSystem.open(matrix, KillWorkload.OPTIONS)) {
            replay.model.verify(back);
        } catch (Throwable t) {
            throw new AssertionError(KillWorkload.mode(seed) + (onTmpfs(seed) ? " on tmpfs" : " on disk")
                    + ", killed " + delay + " ms after the start, after " + replay.acknowledged
                    + " acknowledged durable operations; operations " + replay.firstUnacknowledged + ".."
                    + replay.lastPossible + " may or may not have taken effect", t);
        }
    }

    /** The expected state: the seed's operations replayed against the child's ledger, without I/O. */
    private static final class Replay {
        final CrashModel model = new CrashModel(true);
        final Map<Integer, VnodeId> vnodes = new HashMap<>();
        final Map<Integer, DescriptorId> descriptors = new HashMap<>();
        final int acknowledged;
        int firstUnacknowledged;
        int lastPossible;

        /** @param ledger per acknowledged operation: its index and the id it returned */
        Replay(long seed, List<long[]> ledger) {
            acknowledged = ledger.size();
            Ops ops = new Ops(seed);
            int next = 0;
            for (int index = 0; ; index++) {
                Op op = ops.next();
                if (!op.durable()) {
                    write(op);
                } else if (next < ledger.size()) {
                    assertEquals(index, ledger.get(next)[0], "the ledger and the replayed operation list disagree");
                    acknowledge(op, ledger.get(next++)[1]);
                    firstUnacknowledged = index + 1;
                } else {
                    // the child may have completed this one without recording it, and went no further
                    interrupted(op);
                    lastPossible = index;
                    return;
                }
            }
        }

        private VnodeModel vnode(int handle) {
            return model.vnodes.get(vnodes.get(handle));
        }

        private void write(Op op) {
            switch (op) {
                case Write w -> vnode(w.vnode()).write(w.position(), w.data());
                case Discard d -> vnode(d.vnode()).write(d.position(), new byte[(int) d.length()]);
                default -> throw new IllegalArgumentException(op + " is durable");
            }
        }

        /** Records the id the child's ledger gave a vnode handle. */
        private VnodeId name(int handle, long id) {
            vnodes.put(handle, VnodeId.fromLong(id));
            return vnodes.get(handle);
        }

        private void acknowledge(Op op, long id) {
            model.flushPoint();
            switch (op) {
                case Create c -> model.vnodes.put(name(c.handle(), id), new VnodeModel());
                case Spawn s -> model.vnodes.put(name(s.handle(), id), vnode(s.parent()).copy());
                case Delete d -> {
                    VnodeId gone = vnodes.remove(d.vnode());
                    model.vnodes.remove(gone);
                    model.deleted.add(gone);
                }
                case CreateDescriptor c -> {
                    descriptors.put(c.handle(), KillWorkload.unpack(id));
                    model.descriptors.put(descriptors.get(c.handle()), c.payload());
                }
                case UpdateDescriptor u -> model.descriptors.put(descriptors.get(u.handle()), u.payload());
                case FreeDescriptor f -> {
                    DescriptorId gone = descriptors.remove(f.handle());
                    model.descriptors.remove(gone);
                    model.freed.add(gone);
                }
                case Flush _ -> {
                }
                case Write _ -> throw new IllegalArgumentException("a write is not durable");
                case Discard _ -> throw new IllegalArgumentException("a discard is not durable");
            }
        }

        private void interrupted(Op op) {
            switch (op) {
                case Create _ -> model.extraVnodesAllowed++;
                case Spawn _ -> model.extraVnodesAllowed++;
                case Delete d -> model.maybeGone.add(vnodes.get(d.vnode()));
                case CreateDescriptor _ -> model.extraDescriptorsAllowed++;
                case UpdateDescriptor u -> {
                    model.descriptorUnsure.add(descriptors.get(u.handle()));
                    model.descriptorAlternative.put(descriptors.get(u.handle()), u.payload());
                }
                case FreeDescriptor f -> model.descriptorsMaybeGone.add(descriptors.get(f.handle()));
                case Flush _ -> {
                }
                case Write _ -> throw new IllegalArgumentException("a write is not durable");
                case Discard _ -> throw new IllegalArgumentException("a discard is not durable");
            }
        }
    }

    /**
     * Whether a seed's files go to tmpfs, where syncs cost nothing and the child gets through
     * thousands of operations, rather than to a disk, where a kill mostly lands inside the
     * {@code msync} of a commit. Odd seeds use tmpfs if the machine has {@code /dev/shm}.
     */
    private static boolean onTmpfs(long seed) {
        return (seed & 1) != 0 && Files.isDirectory(TMPFS) && Files.isWritable(TMPFS);
    }

    /** The ledger's whole records; a record the kill cut short acknowledges nothing. */
    private static List<long[]> readLedger(Path path) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path));
        List<long[]> records = new ArrayList<>();
        while (bytes.remaining() >= KillWorkload.LEDGER_RECORD) {
            records.add(new long[] {bytes.getInt(), bytes.getLong()});
        }
        return records;
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This JVM's module path and class path, as one class path for the child. */
    private static String classPath() {
        return Stream.of("jdk.module.path", "java.class.path")
                .map(System::getProperty)
                .filter(Objects::nonNull)
                .flatMap(p -> Arrays.stream(p.split(File.pathSeparator)))
                .filter(e -> !e.isBlank())
                .distinct()
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String readLine(Process child) {
        try {
            return child.inputReader().readLine();
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
