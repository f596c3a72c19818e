package io.coems.matrix.lbs;

/**
 * Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and generator
 * 2, the field of RAID-6's Q syndrome. Addition is XOR; multiplication goes through log and
 * exp tables.
 */
public final class Gf256 {
    private static final int POLYNOMIAL = 0x11d;
    private static final int[] EXP = new int[512];
    private static final int[] LOG = new int[256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 0x100) != 0) {
                x ^= POLYNOMIAL;
            }
        }
        for (int i = 255; i < EXP.length; i++) {
            EXP[i] = EXP[i - 255];
        }
    }

    private Gf256() {
    }

    /** The product {@code a * b}. */
    public static int mul(int a, int b) {
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]];
    }

    /** The multiplicative inverse of {@code a != 0}. */
    public static int inverse(int a) {
        if (a == 0) {
            throw new ArithmeticException("0 has no inverse in GF(2^8)");
        }
        return EXP[255 - LOG[a]];
    }

    /** The generator 2 raised to {@code power} (any non-negative power). */
    public static int pow2(int power) {
        return EXP[power % 255];
    }

    /** The power of 2 that equals {@code a != 0}: its discrete logarithm, 0..254. */
    public static int log(int a) {
        if (a == 0) {
            throw new ArithmeticException("0 has no logarithm in GF(2^8)");
        }
        return LOG[a];
    }

    /** The 256-entry table of {@code c * x} for every byte x. */
    static byte[] mulTable(int c) {
        byte[] table = new byte[256];
        for (int x = 0; x < 256; x++) {
            table[x] = (byte) mul(c, x);
        }
        return table;
    }
}
