package io.coems.matrix.lbs;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The parity kernels of RAID-5 and RAID-6 over memory segments, eight bytes at a time.
 *
 * <p>P is the XOR of the data chunks. Q is the sum of {@code 2^d * D_d} in {@link Gf256},
 * computed with Horner's rule so that the only multiplication on the hot path is by 2, which
 * on eight packed bytes is a shift, a mask and a reduction by 0x1d in shifts. Every loop is a
 * counted {@code int} loop over slices, the shape the JIT turns into vector instructions.
 * Arbitrary coefficients (recovery after two failures) use a 256-byte table per coefficient.
 */
public final class ParityMath {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LOW_SEVEN = 0x7f7f7f7f7f7f7f7fL;

    private ParityMath() {
    }

    /** Multiplies each of the eight bytes packed in {@code v} by 2 in GF(2^8) (0x1d = x^4 + x^3 + x^2 + 1). */
    static long mul2(long v) {
        long h = (v & HIGH_BITS) >>> 7;
        return ((v & LOW_SEVEN) << 1) ^ h ^ (h << 2) ^ (h << 3) ^ (h << 4);
    }

    /** {@code dst[dstOff..+len) ^= src[srcOff..+len)}. */
    public static void xorInto(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long len) {
        MemorySegment d = dst.asSlice(dstOff, len);
        MemorySegment s = src.asSlice(srcOff, len);
        int words = (int) (len >>> 3);
        for (int i = 0; i < words; i++) {
            long o = (long) i << 3;
            d.set(LONG, o, d.get(LONG, o) ^ s.get(LONG, o));
        }
        for (long i = (long) words << 3; i < len; i++) {
            d.set(BYTE, i, (byte) (d.get(BYTE, i) ^ s.get(BYTE, i)));
        }
    }

    /** {@code dst[0..len) = a[0..len) ^ b[0..len)}. */
    private static void xor(MemorySegment dst, MemorySegment a, MemorySegment b, long len) {
        MemorySegment d = dst.asSlice(0, len);
        MemorySegment x = a.asSlice(0, len);
        MemorySegment y = b.asSlice(0, len);
        int words = (int) (len >>> 3);
        for (int i = 0; i < words; i++) {
            long o = (long) i << 3;
            d.set(LONG, o, x.get(LONG, o) ^ y.get(LONG, o));
        }
        for (long i = (long) words << 3; i < len; i++) {
            d.set(BYTE, i, (byte) (x.get(BYTE, i) ^ y.get(BYTE, i)));
        }
    }

    /** {@code dst[0..len) ^= a[0..len) ^ b[0..len)}. */
    private static void xor2Into(MemorySegment dst, MemorySegment a, MemorySegment b, long len) {
        MemorySegment d = dst.asSlice(0, len);
        MemorySegment x = a.asSlice(0, len);
        MemorySegment y = b.asSlice(0, len);
        int words = (int) (len >>> 3);
        for (int i = 0; i < words; i++) {
            long o = (long) i << 3;
            d.set(LONG, o, d.get(LONG, o) ^ x.get(LONG, o) ^ y.get(LONG, o));
        }
        for (long i = (long) words << 3; i < len; i++) {
            d.set(BYTE, i, (byte) (d.get(BYTE, i) ^ x.get(BYTE, i) ^ y.get(BYTE, i)));
        }
    }

    /** {@code q[0..len) = 2 * q[0..len) ^ d[0..len)} in GF(2^8): one Horner step of Q. */
    private static void hornerStep(MemorySegment q, MemorySegment d, long len) {
        MemorySegment qs = q.asSlice(0, len);
        MemorySegment ds = d.asSlice(0, len);
        int words = (int) (len >>> 3);
        for (int i = 0; i < words; i++) {
            long o = (long) i << 3;
            qs.set(LONG, o, mul2(qs.get(LONG, o)) ^ ds.get(LONG, o));
        }
        for (long i = (long) words << 3; i < len; i++) {
            qs.set(BYTE, i, (byte) (Gf256.mul(qs.get(BYTE, i) & 0xff, 2) ^ ds.get(BYTE, i)));
        }
    }

    /**
     * Computes P (and Q if {@code q} is not null) of the first {@code len} bytes of
     * {@code data[0..count)}. P takes ceil(count / 2) passes of a simple loop that the JIT
     * vectorises; Q one Horner pass per chunk, from the last to the first.
     */
    public static void syndromes(MemorySegment[] data, int count, MemorySegment p, MemorySegment q, long len) {
        int d = 0;
        if (count >= 2) {
            xor(p, data[0], data[1], len);
            d = 2;
        } else {
            MemorySegment.copy(data[0], 0, p, 0, len);
            d = 1;
        }
        for (; d + 1 < count; d += 2) {
            xor2Into(p, data[d], data[d + 1], len);
        }
        if (d < count) {
            xorInto(p, 0, data[d], 0, len);
        }
        if (q != null) {
            MemorySegment.copy(data[count - 1], 0, q, 0, len);
            for (int k = count - 2; k >= 0; k--) {
                hornerStep(q, data[k], len);
            }
        }
    }

    /** {@code dst[dstOff..+len) ^= 2^power * src[srcOff..+len)}: the Q update of data chunk {@code power}. */
    public static void mulPow2XorInto(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long len,
            int power) {
        MemorySegment d = dst.asSlice(dstOff, len);
        MemorySegment s = src.asSlice(srcOff, len);
        int words = (int) (len >>> 3);
        for (int i = 0; i < words; i++) {
            long o = (long) i << 3;
            long w = s.get(LONG, o);
            for (int k = 0; k < power; k++) {
                w = mul2(w);
            }
            d.set(LONG, o, d.get(LONG, o) ^ w);
        }
        int c = Gf256.pow2(power);
        for (long i = (long) words << 3; i < len; i++) {
            d.set(BYTE, i, (byte) (d.get(BYTE, i) ^ Gf256.mul(c, s.get(BYTE, i) & 0xff)));
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
