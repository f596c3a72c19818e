package io.coems.matrix.lbs;

import io.coems.matrix.Blocks;
import io.coems.matrix.MatrixIoException;
import io.coems.matrix.MemberState;
import io.coems.matrix.ScrubReport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * RAID-5 (P) and RAID-6 (P + Q) with left-symmetric rotation, as Linux md's default: in
 * stripe {@code s} of {@code n} members, P lies on member {@code n - 1 - s % n}, Q on the
 * next member, and data chunk {@code d} on member {@code (P + parities + d) % n}.
 *
 * <pre>
 *  RAID-5, 4 members   member 0   member 1   member 2   member 3
 *  stripe 0            D0         D1         D2         P
 *  stripe 1            D1         D2         P          D0
 *  stripe 2            D2         P          D0         D1
 *  stripe 3            P          D0         D1         D2
 * </pre>
 *
 * <p>Parity is computed per <em>row</em>: the blocks at one member block number across the
 * members. A write of part of a row picks read-modify-write (read the old data it replaces and
 * the parity) or reconstruct-write (read the data it does not replace) by the number of reads,
 * and covers only the byte range {@code [lo, hi)} the write touches; a full-row write reads
 * nothing. With failed members, rows are reconstructed from the survivors (P, or Q, or both
 * for two failures: the classic RAID-6 recovery in GF(2^8)).
 */
final class ParityLbs extends Lbs {
    private final int parities;
    private final int width;
    private final Pool<Row> rows;

    /** Scratch for one row operation. */
    private final class Row {
        final MemorySegment[] data = new MemorySegment[dataChunks];
        /** The caller's new bytes for each data block, copied once so parity and data agree. */
        final MemorySegment[] incoming = new MemorySegment[dataChunks];
        final MemorySegment[] views = new MemorySegment[dataChunks];
        final MemorySegment p;
        final MemorySegment q;
        final MemorySegment p2;
        final MemorySegment q2;
        final int[] off = new int[dataChunks];
        final int[] len = new int[dataChunks];
        final boolean[] missing = new boolean[dataChunks];

        Row() {
            Arena arena = Arena.ofAuto();
            for (int d = 0; d < dataChunks; d++) {
                data[d] = arena.allocate(Blocks.SIZE, Blocks.SECTOR_SIZE);
                incoming[d] = arena.allocate(Blocks.SIZE, Blocks.SECTOR_SIZE);
            }
            p = arena.allocate(Blocks.SIZE, Blocks.SECTOR_SIZE);
            q = arena.allocate(Blocks.SIZE, Blocks.SECTOR_SIZE);
            p2 = arena.allocate(Blocks.SIZE, Blocks.SECTOR_SIZE);
            q2 = arena.allocate(Blocks.SIZE, Blocks.SECTOR_SIZE);
        }
    }

    ParityLbs(MatrixIdentity identity, MemberLabel template, Member[] members, BitSet dirty) {
        super(identity, template, members, dirty);
        this.parities = mode.parityChunks();
        this.width = members.length;
        this.rows = new Pool<>(Row::new);
    }

    private Member p(long stripe) {
        return members[(int) (width - 1 - stripe % width)];
    }

    private Member q(long stripe) {
        return parities < 2 ? null : members[(int) ((width - stripe % width) % width)];
    }

    private Member data(long stripe, int d) {
        return members[(int) ((width - 1 - stripe % width + parities + d) % width)];
    }

    // ---------------------------------------------------------------- reads

    @Override
    void readChunk(long stripe, int d, long inChunk, MemorySegment dst) {
        Member m = data(stripe, d);
        if (m.inSync(stripe) && tryRead(m, stripe * stripeUnit, inChunk, dst)) {
            return;
        }
        ReentrantLock lock = locks.of(stripe);
        lock.lock();
        Row row = rows.take();
        try {
            for (long done = 0; done < dst.byteSize(); ) {
                long position = inChunk + done;
                int r = (int) (position >>> Blocks.SHIFT);
                int lo = (int) (position & (Blocks.SIZE - 1));
                int length = (int) Math.min(dst.byteSize() - done, Blocks.SIZE - lo);
                loadRowOrFail(stripe, r, lo, length, row);
                MemorySegment.copy(row.data[d], 0, dst, done, length);
                done += length;
            }
        } finally {
            rows.give(row);
            lock.unlock();
        }
    }

    /** {@link #loadRow} retried while members fail under it, until it succeeds or data is lost. */
    private void loadRowOrFail(long stripe, int r, int lo, int length, Row row) {
        for (int attempt = 0; attempt <= width; attempt++) {
            if (loadRow(stripe, r, lo, length, row, false)) {
                return;
            }
        }
        throw lost();
    }

    /**
     * Loads bytes {@code [lo, lo + length)} of every data block of row {@code r} into
     * {@code row.data}, reconstructing those on members out of sync; with {@code withParity},
     * also P and Q into {@code row.p}/{@code row.q} (when readable). Returns false if a member
     * failed during the reads (it is marked, the caller retries).
     *
     * @throws io.coems.matrix.RedundancyLostException if too many members are out of sync
     */
    private boolean loadRow(long stripe, int r, int lo, int length, Row row, boolean withParity) {
        long memberBlock = stripe * stripeUnit + r;
        int missing = 0;
        for (int d = 0; d < dataChunks; d++) {
            row.missing[d] = !data(stripe, d).inSync(stripe);
            missing += row.missing[d] ? 1 : 0;
        }
        boolean hasP = p(stripe).inSync(stripe);
        boolean hasQ = parities > 1 && q(stripe).inSync(stripe);
        if (missing > (hasP ? 1 : 0) + (hasQ ? 1 : 0)) {
            throw lost();
        }
        for (int d = 0; d < dataChunks; d++) {
            if (!row.missing[d] && !tryRead(data(stripe, d), memberBlock, lo, row.data[d].asSlice(0, length))) {
                return false;
            }
        }
        if (missing > 0 || withParity) {
            if (hasP && !tryRead(p(stripe), memberBlock, lo, row.p.asSlice(0, length))) {
                return false;
            }
            if (hasQ && !tryRead(q(stripe), memberBlock, lo, row.q.asSlice(0, length))) {
                return false;
            }
        }
        if (missing > 0) {
            reconstruct(row, length, missing, hasP);
        }
        return true;
    }

    /** Recomputes the {@code missing} data blocks flagged in {@code row.missing} from the others and P/Q. */
    private void reconstruct(Row row, int length, int missing, boolean hasP) {
        int x = -1;
        int y = -1;
        for (int d = 0; d < dataChunks; d++) {
            if (row.missing[d]) {
                if (x < 0) {
                    x = d;
                } else {
                    y = d;
                }
            }
        }
        if (missing == 1 && hasP) {
            MemorySegment.copy(row.p, 0, row.data[x], 0, length);
            for (int d = 0; d < dataChunks; d++) {
                if (d != x) {
                    ParityMath.xorInto(row.data[x], 0, row.data[d], 0, length);
                }
            }
            return;
        }
        if (missing == 1) {
            // D_x = 2^-x * (Q + sum over d != x of 2^d * D_d)
            MemorySegment.copy(row.q, 0, row.data[x], 0, length);
            for (int d = 0; d < dataChunks; d++) {
                if (d != x) {
                    ParityMath.mulPow2XorInto(row.data[x], 0, row.data[d], 0, length, d);
                }
            }
            ParityMath.scale(row.data[x], length, Gf256.inverse(Gf256.pow2(x)));
            return;
        }
        // Two data blocks lost: a = D_x + D_y, b = 2^x D_x + 2^y D_y from P and Q, then
        // D_x = (b + 2^y a) / (2^x + 2^y) and D_y = a + D_x.
        MemorySegment a = row.data[x];
        MemorySegment b = row.data[y];
        MemorySegment.copy(row.p, 0, a, 0, length);
        MemorySegment.copy(row.q, 0, b, 0, length);
        for (int d = 0; d < dataChunks; d++) {
            if (d != x && d != y) {
                ParityMath.xorInto(a, 0, row.data[d], 0, length);
                ParityMath.mulPow2XorInto(b, 0, row.data[d], 0, length, d);
            }
        }
        ParityMath.mulPow2XorInto(b, 0, a, 0, length, y);
        ParityMath.scale(b, length, Gf256.inverse(Gf256.pow2(x) ^ Gf256.pow2(y)));
        ParityMath.xorInto(a, 0, b, 0, length);
        row.data[x] = b;
        row.data[y] = a;
    }

    // ---------------------------------------------------------------- writes

    @Override
    void writeStripe(long stripe, long inStripe, MemorySegment src) {
        long chunkBytes = Blocks.bytes(stripeUnit);
        long end = inStripe + src.byteSize();
        ReentrantLock lock = locks.of(stripe);
        lock.lock();
        Row row = rows.take();
        try {
            intent.mark(stripe);
            if (src.byteSize() == chunkBytes * dataChunks && writeFullStripeDirect(stripe, src, row)) {
                return;
            }
            for (int r = 0; r < stripeUnit; r++) {
                boolean any = false;
                for (int d = 0; d < dataChunks; d++) {
                    long blockStart = d * chunkBytes + Blocks.bytes(r);
                    long from = Math.max(blockStart, inStripe);
                    long to = Math.min(blockStart + Blocks.SIZE, end);
                    if (from < to) {
                        row.off[d] = (int) (from - blockStart);
                        row.len[d] = (int) (to - from);
                        MemorySegment.copy(src, from - inStripe, row.incoming[d], 0, to - from);
                        any = true;
                    } else {
                        row.len[d] = 0;
                    }
                }
                if (any) {
                    writeRow(stripe, r, row);
                }
            }
        } finally {
            rows.give(row);
            lock.unlock();
        }
    }

    /**
     * A whole stripe onto members whose memory is directly reachable ({@link
     * io.coems.matrix.BlockDevice#window}): each data chunk is copied into its member, then P
     * (and Q) are computed from the members' memory straight into the parity members. Parity is
     * computed from the data as it landed, so it matches the media whatever the caller does with
     * its buffer. Returns false, having written nothing, if a member is out of sync or has no
     * window.
     */
    private boolean writeFullStripeDirect(long stripe, MemorySegment src, Row row) {
        long first = MemberLabel.HEADER_BLOCKS + stripe * stripeUnit;
        Member pm = p(stripe);
        Member qm = q(stripe);
        MemorySegment pw = window(pm, stripe, first);
        MemorySegment qw = qm == null ? null : window(qm, stripe, first);
        if (pw == null || (qm != null && qw == null)) {
            return false;
        }
        for (int d = 0; d < dataChunks; d++) {
            row.views[d] = window(data(stripe, d), stripe, first);
            if (row.views[d] == null) {
                return false;
            }
        }
        long chunkBytes = Blocks.bytes(stripeUnit);
        try {
            for (int d = 0; d < dataChunks; d++) {
                MemorySegment.copy(src, d * chunkBytes, row.views[d], 0, chunkBytes);
            }
            ParityMath.syndromes(row.views, dataChunks, pw, qw, chunkBytes);
        } catch (IllegalStateException e) {
            throw new io.coems.matrix.MatrixClosedException("space " + index + " was closed during a write");
        }
        return true;
    }

    private MemorySegment window(Member m, long stripe, long firstBlock) {
        return m.inSync(stripe) ? m.device.window(firstBlock, stripeUnit) : null;
    }

    /** Writes the new bytes in {@code row.incoming}, placed by {@code row.off/len}, into row {@code r}. */
    private void writeRow(long stripe, int r, Row row) {
        int lo = Blocks.SIZE;
        int hi = 0;
        int touched = 0;
        for (int d = 0; d < dataChunks; d++) {
            if (row.len[d] > 0) {
                lo = Math.min(lo, row.off[d]);
                hi = Math.max(hi, row.off[d] + row.len[d]);
                touched++;
            }
        }
        for (int attempt = 0; attempt <= width; attempt++) {
            boolean allInSync = p(stripe).inSync(stripe) && (parities < 2 || q(stripe).inSync(stripe));
            int partial = 0;
            for (int d = 0; d < dataChunks; d++) {
                allInSync &= data(stripe, d).inSync(stripe);
                partial += covers(row, d, lo, hi) ? 0 : 1;
            }
            boolean done = allInSync && touched + parities < partial
                    ? readModifyWrite(stripe, r, row, lo, hi)
                    : reconstructWrite(stripe, r, row, lo, hi);
            if (done) {
                if (!dataAvailable()) {
                    throw lost();
                }
                return;
            }
        }
        throw lost();
    }

    private static boolean covers(Row row, int d, int lo, int hi) {
        return row.len[d] > 0 && row.off[d] == lo && row.off[d] + row.len[d] == hi;
    }

    /** New parity = old parity + old data + new data, for the touched blocks only. */
    private boolean readModifyWrite(long stripe, int r, Row row, int lo, int hi) {
        long memberBlock = stripe * stripeUnit + r;
        int length = hi - lo;
        for (int d = 0; d < dataChunks; d++) {
            if (row.len[d] > 0
                    && !tryRead(data(stripe, d), memberBlock, row.off[d], row.data[d].asSlice(0, row.len[d]))) {
                return false;
            }
        }
        if (!tryRead(p(stripe), memberBlock, lo, row.p.asSlice(0, length))
                || (parities > 1 && !tryRead(q(stripe), memberBlock, lo, row.q.asSlice(0, length)))) {
            return false;
        }
        for (int d = 0; d < dataChunks; d++) {
            if (row.len[d] > 0) {
                ParityMath.xorInto(row.data[d], 0, row.incoming[d], 0, row.len[d]);
                ParityMath.xorInto(row.p, row.off[d] - lo, row.data[d], 0, row.len[d]);
                if (parities > 1) {
                    ParityMath.mulPow2XorInto(row.q, row.off[d] - lo, row.data[d], 0, row.len[d], d);
                }
            }
        }
        writeData(stripe, memberBlock, row);
        writeParity(stripe, memberBlock, row.p, row.q, lo, length);
        return true;
    }

    /**
     * Parity from the full data of {@code [lo, hi)}: the new bytes where written, the old bytes
     * read (or reconstructed, when a member is out of sync) elsewhere.
     */
    private boolean reconstructWrite(long stripe, int r, Row row, int lo, int hi) {
        long memberBlock = stripe * stripeUnit + r;
        int length = hi - lo;
        boolean needReconstruction = false;
        for (int d = 0; d < dataChunks; d++) {
            needReconstruction |= !data(stripe, d).inSync(stripe) && !covers(row, d, lo, hi);
        }
        if (needReconstruction) {
            if (!loadRow(stripe, r, lo, length, row, false)) {
                return false;
            }
            for (int d = 0; d < dataChunks; d++) {
                if (row.len[d] > 0) {
                    MemorySegment.copy(row.incoming[d], 0, row.data[d], row.off[d] - lo, row.len[d]);
                }
                row.views[d] = row.data[d];
            }
        } else {
            for (int d = 0; d < dataChunks; d++) {
                if (covers(row, d, lo, hi)) {
                    row.views[d] = row.incoming[d];
                    continue;
                }
                if (!tryRead(data(stripe, d), memberBlock, lo, row.data[d].asSlice(0, length))) {
                    return false;
                }
                if (row.len[d] > 0) {
                    MemorySegment.copy(row.incoming[d], 0, row.data[d], row.off[d] - lo, row.len[d]);
                }
                row.views[d] = row.data[d];
            }
        }
        ParityMath.syndromes(row.views, dataChunks, row.p, parities > 1 ? row.q : null, length);
        writeData(stripe, memberBlock, row);
        writeParity(stripe, memberBlock, row.p, row.q, lo, length);
        return true;
    }

    private void writeData(long stripe, long memberBlock, Row row) {
        for (int d = 0; d < dataChunks; d++) {
            Member m = data(stripe, d);
            if (row.len[d] > 0 && m.inSync(stripe)) {
                tryWrite(m, memberBlock, row.off[d], row.incoming[d].asSlice(0, row.len[d]));
            }
        }
    }

    private void writeParity(long stripe, long memberBlock, MemorySegment p, MemorySegment q, int lo, int length) {
        if (p(stripe).inSync(stripe)) {
            tryWrite(p(stripe), memberBlock, lo, p.asSlice(0, length));
        }
        if (parities > 1 && q(stripe).inSync(stripe)) {
            tryWrite(q(stripe), memberBlock, lo, q.asSlice(0, length));
        }
    }

    // ---------------------------------------------------------------- health, rebuild, scrub, resync

    @Override
    boolean dataAvailable() {
        int failed = 0;
        for (Member m : members) {
            failed += m.state == MemberState.ONLINE ? 0 : 1;
        }
        return failed <= parities;
    }

    @Override
    void rebuildStripe(Member target, long stripe) {
        Row row = rows.take();
        try {
            for (int r = 0; r < stripeUnit; r++) {
                loadRowOrFail(stripe, r, 0, Blocks.SIZE, row);
                MemorySegment content;
                if (target == p(stripe) || target == q(stripe)) {
                    ParityMath.syndromes(row.data, dataChunks, row.p2, parities > 1 ? row.q2 : null, Blocks.SIZE);
                    content = target == p(stripe) ? row.p2 : row.q2;
                } else {
                    content = row.data[dataIndexOf(target, stripe)];
                }
                if (!tryWrite(target, stripe * stripeUnit + r, 0, content)) {
                    throw new MatrixIoException("replacement " + target.name() + " failed at stripe " + stripe);
                }
            }
        } finally {
            rows.give(row);
        }
    }

    private int dataIndexOf(Member m, long stripe) {
        return (int) (((m.index - (width - 1 - stripe % width) - parities) % width + 2L * width) % width);
    }

    @Override
    ScrubReport scrubStripe(long stripe, boolean repair) {
        ScrubReport report = ScrubReport.empty();
        Row row = rows.take();
        try {
            for (int r = 0; r < stripeUnit; r++) {
                // A member may fail under the scrub: only rows read with every member in sync count.
                if (failedMask() != 0 || !loadRow(stripe, r, 0, Blocks.SIZE, row, true) || failedMask() != 0) {
                    report = report.plus(new ScrubReport(0, 0, 0, 1, List.of()));
                    continue;
                }
                report = report.plus(verifyRow(stripe, r, row, repair));
            }
        } finally {
            rows.give(row);
        }
        return report;
    }

    /**
     * Compares stored P/Q with P/Q recomputed from the data. For RAID-6, when both disagree
     * and every differing byte points at the same data block ({@code dQ / dP = 2^z}), that
     * block is the corrupt one and is corrected; otherwise the parity is rewritten.
     */
    private ScrubReport verifyRow(long stripe, int r, Row row, boolean repair) {
        long memberBlock = stripe * stripeUnit + r;
        ParityMath.syndromes(row.data, dataChunks, row.p2, parities > 1 ? row.q2 : null, Blocks.SIZE);
        boolean pBad = !ParityMath.equal(row.p, row.p2, Blocks.SIZE);
        boolean qBad = parities > 1 && !ParityMath.equal(row.q, row.q2, Blocks.SIZE);
        ScrubReport checked = new ScrubReport(1, 0, 0, 0, List.of());
        if (!pBad && !qBad) {
            return checked;
        }
        int culprit = pBad && qBad ? locateCorruptData(row) : -1;
        if (culprit >= 0) {
            boolean fixed = false;
            if (repair) {
                ParityMath.xorInto(row.data[culprit], 0, row.p, 0, Blocks.SIZE);
                ParityMath.xorInto(row.data[culprit], 0, row.p2, 0, Blocks.SIZE);
                fixed = tryWrite(data(stripe, culprit), memberBlock, 0, row.data[culprit]);
            }
            return checked.plus(mismatch(stripe, r, "data chunk " + culprit + " on member "
                    + data(stripe, culprit).index + " is corrupt (located by P and Q)", fixed));
        }
        boolean fixed = false;
        if (repair) {
            fixed = (!pBad || tryWrite(p(stripe), memberBlock, 0, row.p2))
                    && (!qBad || tryWrite(q(stripe), memberBlock, 0, row.q2));
        }
        String what = (pBad ? "P" : "") + (pBad && qBad ? " and " : "") + (qBad ? "Q" : "")
                + " parity disagrees with the data";
        return checked.plus(mismatch(stripe, r, what, fixed));
    }

    /** The data index z that explains every difference as a corruption of D_z alone, or -1. */
    private int locateCorruptData(Row row) {
        int z = -1;
        for (long i = 0; i < Blocks.SIZE; i++) {
            int dp = (row.p.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)
                    ^ row.p2.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)) & 0xff;
            int dq = (row.q.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)
                    ^ row.q2.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)) & 0xff;
            if (dp == 0 && dq == 0) {
                continue;
            }
            if (dp == 0 || dq == 0) {
                return -1;
            }
            int candidate = (Gf256.log(dq) - Gf256.log(dp) + 255) % 255;
            if (candidate >= dataChunks || (z >= 0 && candidate != z)) {
                return -1;
            }
            z = candidate;
        }
        return z;
    }

    /** Recomputes parity from the data of every row (the data is the truth after a crash). */
    @Override
    void resyncStripe(long stripe) {
        Row row = rows.take();
        try {
            for (int r = 0; r < stripeUnit; r++) {
                boolean dataReadable = true;
                for (int d = 0; d < dataChunks; d++) {
                    dataReadable &= data(stripe, d).state == MemberState.ONLINE
                            && tryRead(data(stripe, d), stripe * stripeUnit + r, 0, row.data[d]);
                }
                if (!dataReadable) {
                    continue;
                }
                ParityMath.syndromes(row.data, dataChunks, row.p, parities > 1 ? row.q : null, Blocks.SIZE);
                writeParity(stripe, stripe * stripeUnit + r, row.p, row.q, 0, Blocks.SIZE);
            }
        } finally {
            rows.give(row);
        }
    }
}
