package io.coems.sfs;

import io.coems.matrix.BlockDevice;
import io.coems.matrix.Blocks;
import io.coems.matrix.LbsSpec;
import io.coems.matrix.RaidMode;
import io.coems.matrix.StorageMatrix;
import io.coems.matrix.device.MappedFileDevice;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static io.coems.sfs.CrashModel.bytes;

/**
 * The child JVM of {@link ProcessKillTest}, and the seeded operation list both sides share.
 *
 * <p>{@code main(seed, dir)} formats SFS over memory-mapped device files in {@code dir}
 * (NORMAL over one file or RAID-1 over two, as the seed picks), prints {@link #READY} and runs
 * the operations of {@link Ops} until it is killed. After each durable operation it appends a
 * {@link #LEDGER_RECORD}-byte record to {@link #LEDGER} (the operation's index, and the id a
 * create, spawn or descriptor create returned) and forces it. It halts when its standard input
 * closes, so it cannot outlive a parent that died.
 */
final class KillWorkload {
    /** A commit every 50 ms, so commits also happen in the background between durable operations. */
    static final SfsOptions OPTIONS = new SfsOptions(256, 16, 64, 50, 1L << 18);
    static final String READY = "ready";
    static final String LEDGER = "ledger";
    static final int LEDGER_RECORD = Integer.BYTES + Long.BYTES;
    private static final long DEVICE_BLOCKS = 2 + 1024;
    private static final long VNODE_BLOCKS = 40;
    private static final long[] HOT = {0, 1, 2, 3, 17, 39};
    private static final int MAX_VNODES = 10;
    private static final int MAX_DESCRIPTORS = 12;

    private KillWorkload() {
    }

    /** One operation; vnodes and descriptors are named by handles, their creation order in the list. */
    sealed interface Op permits Create, Spawn, Delete, Write, Discard, Flush, CreateDescriptor, UpdateDescriptor,
            FreeDescriptor {
        /** Whether the operation is durable when it returns (writes and discards are not). */
        default boolean durable() {
            return true;
        }
    }

    record Create(int handle) implements Op {
    }

    record Spawn(int parent, int handle) implements Op {
    }

    record Delete(int vnode) implements Op {
    }

    record Write(int vnode, long position, byte[] data) implements Op {
        @Override
        public boolean durable() {
            return false;
        }
    }

    record Discard(int vnode, long position, long length) implements Op {
        @Override
        public boolean durable() {
            return false;
        }
    }

    record Flush() implements Op {
    }

    record CreateDescriptor(int handle, byte[] payload) implements Op {
    }

    record UpdateDescriptor(int handle, byte[] payload) implements Op {
    }

    record FreeDescriptor(int handle) implements Op {
    }

    /** The endless operation list of a seed: at most {@value #MAX_VNODES} live vnodes, each touching a few hot blocks. */
    static final class Ops {
        private final SplittableRandom random;
        private final List<Integer> vnodes = new ArrayList<>();
        private final List<Integer> descriptors = new ArrayList<>();
        private int nextVnode;
        private int nextDescriptor;

        Ops(long seed) {
            random = new SplittableRandom(seed);
        }

        Op next() {
            int r = random.nextInt(100);
            if (vnodes.isEmpty() || (r < 8 && vnodes.size() < MAX_VNODES)) {
                vnodes.add(nextVnode);
                return new Create(nextVnode++);
            }
            int target = vnodes.get(random.nextInt(vnodes.size()));
            long hot = Blocks.bytes(HOT[random.nextInt(HOT.length)]);
            long end = Blocks.bytes(VNODE_BLOCKS);
            if (r < 45) {
                long position = hot + (random.nextBoolean() ? 0 : random.nextInt(Blocks.SIZE));
                int length = (int) Math.min(random.nextBoolean() ? Blocks.SIZE : 1 + random.nextInt(9000), end - position);
                return new Write(target, position, bytes(random, length));
            } else if (r < 53) {
                long position = hot + random.nextInt(100);
                return new Discard(target, position, Math.min(1 + random.nextInt(3 * Blocks.SIZE), end - position));
            } else if (r < 63) {
                return new Flush();
            } else if (r < 71 && vnodes.size() < MAX_VNODES) {
                vnodes.add(nextVnode);
                return new Spawn(target, nextVnode++);
            } else if (r < 78) {
                vnodes.remove(Integer.valueOf(target));
                return new Delete(target);
            }
            byte[] payload = bytes(random, random.nextInt(300));
            if (descriptors.isEmpty() || (r < 85 && descriptors.size() < MAX_DESCRIPTORS)) {
                descriptors.add(nextDescriptor);
                return new CreateDescriptor(nextDescriptor++, payload);
            }
            int descriptor = descriptors.get(random.nextInt(descriptors.size()));
            if (r < 95) {
                return new UpdateDescriptor(descriptor, payload);
            }
            descriptors.remove(Integer.valueOf(descriptor));
            return new FreeDescriptor(descriptor);
        }
    }

    /** The RAID mode a seed's run uses. */
    static RaidMode mode(long seed) {
        return new SplittableRandom(~seed).nextBoolean() ? RaidMode.RAID1 : RaidMode.NORMAL;
    }

    /** The device files of a seed's run in {@code dir}. */
    static List<Path> devices(Path dir, long seed) {
        int members = mode(seed) == RaidMode.RAID1 ? 2 : 1;
        return IntStream.range(0, members).mapToObj(i -> dir.resolve("device" + i)).toList();
    }

    static long pack(DescriptorId id) {
        return ((long) id.index() << 32) | (id.generation() & 0xffff_ffffL);
    }

    static DescriptorId unpack(long packed) {
        return new DescriptorId((int) (packed >>> 32), (int) packed);
    }

    /** Arguments: the seed and the directory of the device files and the ledger. */
    public static void main(String[] args) throws IOException {
        long seed = Long.parseLong(args[0]);
        Path dir = Path.of(args[1]);
        Thread watch = new Thread(KillWorkload::haltWhenOrphaned, "parent-watch");
        watch.setDaemon(true);
        watch.start();
        List<BlockDevice> devices = devices(dir, seed).stream()
                .<BlockDevice>map(p -> MappedFileDevice.create(p, DEVICE_BLOCKS, false)).toList();
        StorageMatrix matrix = StorageMatrix.create(List.of(new LbsSpec(mode(seed), 1, devices)));
        SuperFileSystem fs = SuperFileSystem.format(matrix, OPTIONS);
        try (FileChannel ledger = FileChannel.open(dir.resolve(LEDGER), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            System.out.println(READY);
            System.out.flush();
            Map<Integer, VnodeId> vnodes = new HashMap<>();
            Map<Integer, DescriptorId> descriptors = new HashMap<>();
            Ops ops = new Ops(seed);
            ByteBuffer record = ByteBuffer.allocate(LEDGER_RECORD);
            for (int index = 0; ; index++) {
                Op op = ops.next();
                long id = execute(fs, op, vnodes, descriptors);
                if (op.durable()) {
                    record.clear().putInt(index).putLong(id).flip();
                    while (record.hasRemaining()) {
                        ledger.write(record);
                    }
                    ledger.force(false);
                }
            }
        }
    }

    /** Runs one operation; returns the id it created (packed), or 0. */
    private static long execute(SuperFileSystem fs, Op op, Map<Integer, VnodeId> vnodes,
            Map<Integer, DescriptorId> descriptors) {
        switch (op) {
            case Create c -> {
                VnodeId id = fs.create(Blocks.bytes(VNODE_BLOCKS));
                vnodes.put(c.handle(), id);
                return id.toLong();
            }
            case Spawn s -> {
                VnodeId id = fs.spawn(vnodes.get(s.parent()));
                vnodes.put(s.handle(), id);
                return id.toLong();
            }
            case Delete d -> fs.delete(vnodes.remove(d.vnode()));
            case Write w -> fs.write(vnodes.get(w.vnode()), w.position(), MemorySegment.ofArray(w.data()));
            case Discard d -> fs.discard(vnodes.get(d.vnode()), d.position(), d.length());
            case Flush _ -> fs.flush();
            case CreateDescriptor c -> {
                DescriptorId id = fs.createDescriptor(Descriptor.VOLUME, MemorySegment.ofArray(c.payload()));
                descriptors.put(c.handle(), id);
                return pack(id);
            }
            case UpdateDescriptor u -> fs.updateDescriptor(descriptors.get(u.handle()), MemorySegment.ofArray(u.payload()));
            case FreeDescriptor f -> fs.freeDescriptor(descriptors.remove(f.handle()));
        }
        return 0;
    }

    private static void haltWhenOrphaned() {
        try {
            while (System.in.read() >= 0) {
                Thread.onSpinWait();
            }
        } catch (IOException e) {
            // the parent's end of the pipe is gone either way
        }
        Runtime.getRuntime().halt(3);
    }
}
