package io.coems.examples;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.LbsStatus;
import io.coems.matrix.Rebuild;
import io.coems.matrix.ScrubReport;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.FaultInjectingDevice;
import io.coems.matrix.device.MappedFileDevice;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tour of the Storage Matrix in a directory of sparse files: a RAID-5 space and a RAID-1
 * space, data written and checksummed, a disk pulled, degraded reads, a replacement rebuilt
 * while a writer keeps writing, a scrub, online growth, and reassembly from the files given in
 * shuffled order. Run with no argument (a temporary directory, removed afterwards) or with a
 * directory to keep the files.
 */
public final class MatrixDemo {
    private static final long MEMBER_BLOCKS = 2 + 512;

    private MatrixDemo() {
    }

    /** Runs the demo; {@code args[0]}, if given, is the directory that keeps the device files. */
    public static void main(String[] args) throws Exception {
        boolean keep = args.length > 0;
        Path dir = keep ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("coems-demo-");
        try {
            run(dir);
        } finally {
            if (!keep) {
                DemoSupport.deleteTree(dir);
            }
        }
    }

    private static void run(Path dir) throws Exception {
        System.out.println("COEMS Storage Matrix demo, device files in " + dir);
        List<Path> raid5 = paths(dir, "raid5-disk", 4);
        List<Path> raid1 = paths(dir, "raid1-disk", 2);
        List<FaultInjectingDevice> disks = new ArrayList<>();
        for (Path p : raid5) {
            disks.add(new FaultInjectingDevice(MappedFileDevice.create(p, MEMBER_BLOCKS, true)));
        }

        step(1, "create a matrix: RAID-5 over 4 sparse files of " + mib(MEMBER_BLOCKS) + " MiB, RAID-1 over 2");
        StorageMatrix matrix = StorageMatrix.create(List.of(
                LbsSpec.raid5(1, disks.toArray(BlockDevice[]::new)),
                LbsSpec.raid1(createFiles(raid1))));
        printStatus(matrix);

        long dataBlocks = matrix.blockCount();
        step(2, "write " + mib(dataBlocks) + " MiB of data and flush");
        long start = System.nanoTime();
        byte[] digest = fill(matrix, dataBlocks, 1);
        matrix.flush();
        System.out.printf("   %.0f MiB/s, SHA-256 %s%n", mib(dataBlocks) / DemoSupport.seconds(start), DemoSupport.hex(digest));

        step(3, "pull disk 2 of the RAID-5 space: reads go on, reconstructed from parity");
        disks.get(2).failDevice();
        start = System.nanoTime();
        byte[] degraded = checksum(matrix, dataBlocks);
        System.out.printf("   degraded read %.0f MiB/s, SHA-256 %s (%s)%n", mib(dataBlocks) / DemoSupport.seconds(start),
                DemoSupport.hex(degraded), MessageDigest.isEqual(digest, degraded) ? "same data" : "DIFFERENT");
        printStatus(matrix);

        step(4, "replace disk 2 with a new file and rebuild while a writer keeps writing");
        Path spare = dir.resolve("raid5-spare");
        AtomicBoolean stop = new AtomicBoolean();
        long[] rewrites = new long[1];
        Thread writer = Thread.ofPlatform().name("demo-writer").start(() -> {
            Random random = new Random(7);
            MemorySegment block = Arena.ofAuto().allocate(Blocks.SIZE);
            while (!stop.get()) {
                long b = random.nextLong(matrix.status().getFirst().blocks());
                matrix.read(b, 0, block);
                matrix.write(b, 0, block);
                rewrites[0]++;
            }
        });
        int[] shown = {0};
        Rebuild rebuild = matrix.replace(0, 2, MappedFileDevice.create(spare, MEMBER_BLOCKS, true), (done, total) -> {
            int percent = (int) (100 * done / total);
            if (percent >= shown[0] + 25) {
                shown[0] = percent;
                System.out.println("   rebuilt " + percent + "%");
            }
        });
        rebuild.await();
        stop.set(true);
        writer.join();
        System.out.println("   " + rewrites[0] + " blocks rewritten by the writer during the rebuild");
        printStatus(matrix);

        step(5, "scrub: compare parity and mirrors everywhere");
        ScrubReport scrub = matrix.scrub(false, null);
        System.out.println("   " + scrub.rowsChecked() + " rows checked, " + scrub.mismatches() + " mismatches");

        step(6, "grow online: add a RAID-1 space of two more files");
        List<Path> growth = paths(dir, "raid1b-disk", 2);
        long before = matrix.blockCount();
        matrix.addLbs(LbsSpec.raid1(createFiles(growth)));
        System.out.println("   capacity " + mib(before) + " MiB -> " + mib(matrix.blockCount()) + " MiB");
        matrix.close();

        step(7, "reassemble from the device files in shuffled order");
        List<Path> all = new ArrayList<>(List.of(raid5.get(0), raid5.get(1), spare, raid5.get(3)));
        all.addAll(raid1);
        all.addAll(growth);
        Collections.shuffle(all, new Random(3));
        try (StorageMatrix reopened = StorageMatrix.openFiles(all)) {
            byte[] again = checksum(reopened, dataBlocks);
            System.out.println("   " + reopened.lbsCount() + " spaces, SHA-256 " + DemoSupport.hex(again) + " ("
                    + (MessageDigest.isEqual(digest, again) ? "same data" : "DIFFERENT") + ")");
            printStatus(reopened);
        }
    }

    /** Writes {@code blocks} blocks of random data in 768 KiB pieces (whole RAID-5 stripes); returns their SHA-256. */
    private static byte[] fill(StorageMatrix matrix, long blocks, long seed) throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        int piece = 12;
        byte[] data = new byte[piece * Blocks.SIZE];
        for (long b = 0; b < blocks; b += piece) {
            int n = (int) Math.min(piece, blocks - b);
            random.nextBytes(data);
            matrix.write(b, 0, MemorySegment.ofArray(data).asSlice(0, Blocks.bytes(n)));
            sha.update(data, 0, (int) Blocks.bytes(n));
        }
        return sha.digest();
    }

    private static byte[] checksum(StorageMatrix matrix, long blocks) throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] data = new byte[Blocks.SIZE];
        MemorySegment segment = MemorySegment.ofArray(data);
        for (long b = 0; b < blocks; b++) {
            matrix.read(b, 0, segment);
            sha.update(data);
        }
        return sha.digest();
    }

    private static void printStatus(StorageMatrix matrix) {
        System.out.printf("   %-5s %-7s %-9s %10s  %s%n", "space", "mode", "health", "size", "members");
        for (LbsStatus s : matrix.status()) {
            StringBuilder members = new StringBuilder();
            for (LbsStatus.Member m : s.members()) {
                members.append(Path.of(m.device()).getFileName()).append('=').append(m.state()).append(' ');
            }
            System.out.printf("   %-5d %-7s %-9s %6d MiB  %s%n", s.index(), s.mode(), s.health(), mib(s.blocks()),
                    members.toString().trim());
        }
    }

    private static List<Path> paths(Path dir, String prefix, int count) {
        List<Path> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(dir.resolve(prefix + i));
        }
        return list;
    }

    private static BlockDevice[] createFiles(List<Path> paths) {
        return paths.stream().map(p -> MappedFileDevice.create(p, MEMBER_BLOCKS, true)).toArray(BlockDevice[]::new);
    }

    private static void step(int n, String what) {
        System.out.println();
        System.out.println(n + ". " + what);
    }

    private static long mib(long blocks) {
        return Blocks.bytes(blocks) >> 20;
    }
}
