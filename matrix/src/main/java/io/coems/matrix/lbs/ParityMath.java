package io.coems.matrix.lbs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The parity kernels of RAID-5 and RAID-6 over memory segments, eight bytes at a time.
 *
 * <p>P is the XOR of the data chunks. Q is the sum of {@code 2^d * D_d} in {@link Gf256},
 * computed with Horner's rule so that the only multiplication on the hot path is by 2, which
 * on eight packed bytes is a shift, a mask and a conditional reduction by 0x1d.
 * Arbitrary coefficients (recovery after two failures) use a 256-byte table per coefficient.
 */
public final class ParityMath {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LOW_SEVEN = 0x7f7f7f7f7f7f7f7fL;

    private ParityMath() {
    }

    /** Multiplies each of the eight bytes packed in {@code v} by 2 in GF(2^8). */
    static long mul2(long v) {
        long high = v & HIGH_BITS;
        long reduce = (high >>> 7) * 0x1d;
        return ((v & LOW_SEVEN) << 1) ^ reduce;
    }

    /** {@code dst[dstOff..+len) ^= src[srcOff..+len)}. */
    public static void xorInto(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long len) {
        long i = 0;
        for (; i + 8 <= len; i += 8) {
            dst.set(LONG, dstOff + i, dst.get(LONG, dstOff + i) ^ src.get(LONG, srcOff + i));
        }
        for (; i < len; i++) {
            dst.set(BYTE, dstOff + i, (byte) (dst.get(BYTE, dstOff + i) ^ src.get(BYTE, srcOff + i)));
        }
    }

    /**
     * Computes P (and Q if {@code q} is not null) of the first {@code len} bytes of
     * {@code data[0..count)}.
     */
    public static void syndromes(MemorySegment[] data, int count, MemorySegment p, MemorySegment q, long len) {
        if (q == null) {
            MemorySegment.copy(data[0], 0, p, 0, len);
            for (int d = 1; d < count; d++) {
                xorInto(p, 0, data[d], 0, len);
            }
            return;
        }
        long i = 0;
        for (; i + 8 <= len; i += 8) {
            long pw = 0;
            long qw = 0;
            for (int d = count - 1; d >= 0; d--) {
                long w = data[d].get(LONG, i);
                pw ^= w;
                qw = mul2(qw) ^ w;
            }
            p.set(LONG, i, pw);
            q.set(LONG, i, qw);
        }
        for (; i < len; i++) {
            int pb = 0;
            int qb = 0;
            for (int d = count - 1; d >= 0; d--) {
                int b = data[d].get(BYTE, i) & 0xff;
                pb ^= b;
                qb = Gf256.mul(qb, 2) ^ b;
            }
            p.set(BYTE, i, (byte) pb);
            q.set(BYTE, i, (byte) qb);
        }
    }

    /** {@code dst[dstOff..+len) ^= 2^power * src[srcOff..+len)}: the Q update of data chunk {@code power}. */
    public static void mulPow2XorInto(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long len,
            int power) {
        long i = 0;
        for (; i + 8 <= len; i += 8) {
            long w = src.get(LONG, srcOff + i);
            for (int k = 0; k < power; k++) {
                w = mul2(w);
            }
            dst.set(LONG, dstOff + i, dst.get(LONG, dstOff + i) ^ w);
        }
        int c = Gf256.pow2(power);
        for (; i < len; i++) {
            int b = Gf256.mul(c, src.get(BYTE, srcOff + i) & 0xff);
            dst.set(BYTE, dstOff + i, (byte) (dst.get(BYTE, dstOff + i) ^ b));
        }
    }

    /** {@code buf[0..len) = c * buf[0..len)} for an arbitrary coefficient (slow path: recovery). */
    public static void scale(MemorySegment buf, long len, int c) {
        byte[] table = Gf256.mulTable(c);
        for (long i = 0; i < len; i++) {
            buf.set(BYTE, i, table[buf.get(BYTE, i) & 0xff]);
        }
    }

    /** Whether the first {@code len} bytes of {@code a} and {@code b} are equal. */
    public static boolean equal(MemorySegment a, MemorySegment b, long len) {
        return MemorySegment.mismatch(a, 0, len, b, 0, len) < 0;
    }
}
