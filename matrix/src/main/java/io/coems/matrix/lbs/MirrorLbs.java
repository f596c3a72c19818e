package io.coems.matrix.lbs;

import io.coems.matrix.Blocks;
import io.coems.matrix.MatrixIoException;
import io.coems.matrix.MemberState;
import io.coems.matrix.RedundancyLostException;
import io.coems.matrix.ScrubReport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The copy-based modes: NORMAL (one device), RAID-0 (stripes, one copy), RAID-1 (one chunk per
 * stripe, a copy on every member) and RAID-10 (stripes over mirrored pairs). Data chunk
 * {@code d} of a stripe has its copies on members {@code d * copies .. d * copies + copies - 1}:
 *
 * <pre>
 *  RAID-10, 4 members, stripe unit K:   member 0   member 1   member 2   member 3
 *  stripe 0 (member blocks 0..K-1)      chunk 0    chunk 0    chunk 1    chunk 1
 *  stripe 1 (member blocks K..2K-1)     chunk 2    chunk 2    chunk 3    chunk 3
 * </pre>
 *
 * Reads go to one in-sync copy, rotating with the stripe to spread load, and fall back to the
 * next copy on failure. Writes go to every in-sync copy under the stripe lock, so concurrent
 * writers cannot leave mirrors that disagree.
 */
final class MirrorLbs extends Lbs {
    private final int copies;
    private final Pool<MemorySegment[]> scratch;
    private final Pool<MemorySegment> chunks;

    MirrorLbs(MatrixIdentity identity, MemberLabel template, Member[] members, BitSet dirty) {
        super(identity, template, members, dirty);
        this.copies = mode.copies(members.length);
        this.scratch = new Pool<>(() -> {
            MemorySegment[] blocks = new MemorySegment[copies];
            Arena arena = Arena.ofAuto();
            for (int i = 0; i < copies; i++) {
                blocks[i] = arena.allocate(Blocks.SIZE, Blocks.SECTOR_SIZE);
            }
            return blocks;
        });
        this.chunks = new Pool<>(() -> Arena.ofAuto().allocate(Blocks.bytes(stripeUnit), Blocks.SECTOR_SIZE));
    }

    private Member copy(int d, int j) {
        return members[d * copies + j];
    }

    @Override
    void readChunk(long stripe, int d, long inChunk, MemorySegment dst) {
        long memberBlock = stripe * stripeUnit;
        int first = (int) ((stripe + (inChunk >>> Blocks.SHIFT)) % copies);
        for (int i = 0; i < copies; i++) {
            Member m = copy(d, (first + i) % copies);
            if (m.inSync(stripe) && tryRead(m, memberBlock, inChunk, dst)) {
                return;
            }
        }
        throw chunkLost(stripe, d);
    }

    @Override
    void writeStripe(long stripe, long inStripe, MemorySegment src) {
        if (copies == 1) {
            writePieces(stripe, inStripe, src);
            return;
        }
        ReentrantLock lock = locks.of(stripe);
        lock.lock();
        try {
            intent.mark(stripe);
            writePieces(stripe, inStripe, src);
        } finally {
            lock.unlock();
        }
    }

    private void writePieces(long stripe, long inStripe, MemorySegment src) {
        long chunkBytes = Blocks.bytes(stripeUnit);
        long memberBlock = stripe * stripeUnit;
        for (long done = 0; done < src.byteSize(); ) {
            long position = inStripe + done;
            int d = (int) (position / chunkBytes);
            long inChunk = position - d * chunkBytes;
            long piece = Math.min(src.byteSize() - done, chunkBytes - inChunk);
            MemorySegment chunk = copies > 1 ? chunks.take() : null;
            try {
                // Mirrors get one copy of the caller's bytes, so they agree even if the caller changes them.
                MemorySegment part = chunk == null ? src.asSlice(done, piece) : chunk.asSlice(0, piece).copyFrom(
                        src.asSlice(done, piece));
                int written = 0;
                for (int j = 0; j < copies; j++) {
                    Member m = copy(d, j);
                    if (m.inSync(stripe) && tryWrite(m, memberBlock, inChunk, part)) {
                        written++;
                    }
                }
                if (written == 0) {
                    throw chunkLost(stripe, d);
                }
            } finally {
                if (chunk != null) {
                    chunks.give(chunk);
                }
            }
            done += piece;
        }
    }

    @Override
    boolean dataAvailable() {
        for (int d = 0; d < dataChunks; d++) {
            boolean any = false;
            for (int j = 0; j < copies; j++) {
                any |= copy(d, j).state == MemberState.ONLINE;
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    @Override
    void rebuildStripe(Member target, long stripe) {
        int d = target.index / copies;
        MemorySegment[] buffers = scratch.take();
        try {
            for (int row = 0; row < stripeUnit; row++) {
                long offset = Blocks.bytes(row);
                if (!readFromAnyCopy(stripe, d, offset, buffers[0], target)) {
                    throw chunkLost(stripe, d);
                }
                if (!tryWrite(target, stripe * stripeUnit, offset, buffers[0])) {
                    throw new MatrixIoException("replacement " + target.name() + " failed at stripe " + stripe);
                }
            }
        } finally {
            scratch.give(buffers);
        }
    }

    private boolean readFromAnyCopy(long stripe, int d, long offset, MemorySegment dst, Member except) {
        for (int j = 0; j < copies; j++) {
            Member m = copy(d, j);
            if (m != except && m.state == MemberState.ONLINE && tryRead(m, stripe * stripeUnit, offset, dst)) {
                return true;
            }
        }
        return false;
    }

    @Override
    ScrubReport scrubStripe(long stripe, boolean repair) {
        ScrubReport report = ScrubReport.empty();
        MemorySegment[] buffers = scratch.take();
        try {
            for (int d = 0; d < dataChunks; d++) {
                for (int row = 0; row < stripeUnit; row++) {
                    report = report.plus(scrubRow(stripe, d, row, repair, buffers));
                }
            }
        } finally {
            scratch.give(buffers);
        }
        return report;
    }

    /** Compares the copies of one block with the first readable copy; repair copies it over the others. */
    private ScrubReport scrubRow(long stripe, int d, int row, boolean repair, MemorySegment[] buffers) {
        long memberBlock = stripe * stripeUnit;
        long offset = Blocks.bytes(row);
        int reference = -1;
        int readable = 0;
        boolean[] differs = new boolean[copies];
        for (int j = 0; j < copies; j++) {
            Member m = copy(d, j);
            if (m.state != MemberState.ONLINE || !tryRead(m, memberBlock, offset, buffers[j])) {
                continue;
            }
            readable++;
            if (reference < 0) {
                reference = j;
            } else {
                differs[j] = !ParityMath.equal(buffers[reference], buffers[j], Blocks.SIZE);
            }
        }
        if (readable < 2) {
            return new ScrubReport(0, 0, 0, 1, java.util.List.of());
        }
        ScrubReport report = new ScrubReport(1, 0, 0, 0, java.util.List.of());
        for (int j = 0; j < copies; j++) {
            if (differs[j]) {
                boolean fixed = repair && tryWrite(copy(d, j), memberBlock, offset, buffers[reference]);
                report = report.plus(mismatch(stripe, row, "copy on member " + copy(d, j).index
                        + " differs from member " + copy(d, reference).index, fixed));
            }
        }
        return report;
    }

    @Override
    void resyncStripe(long stripe) {
        scrubStripe(stripe, true);
    }

    private RedundancyLostException chunkLost(long stripe, int d) {
        return new RedundancyLostException("space " + index + " (" + mode + "): no copy of chunk " + d + " of stripe "
                + stripe + " can be accessed; failed: " + describeFailed());
    }
}
