package io.coems.matrix;

/**
 * How a Logical Block Space spreads its blocks over its member devices.
 *
 * <pre>
 *  mode     members   data per stripe   redundancy           failures tolerated
 *  NORMAL   1         1                 none                 0
 *  RAID0    N >= 2    N                 none                 0
 *  RAID1    N >= 2    1                 N copies             N - 1 (all but one)
 *  RAID10   N >= 4,   N / 2             2 copies (pairs)     1 (one per pair)
 *           even
 *  RAID5    N >= 3    N - 1             P (XOR), rotating    1
 *  RAID6    N >= 4    N - 2             P + Q (GF(2^8))      2
 * </pre>
 *
 * Parity rotates left-symmetric, as Linux md's default layout.
 */
public enum RaidMode {
    /** One device, no redundancy. */
    NORMAL(1, 1, 0),
    /** Striping over N devices, no redundancy. */
    RAID0(2, 2, 0),
    /** N mirrors of one device. */
    RAID1(3, 2, 0),
    /** RAID-5: striping with one rotating XOR parity chunk per stripe. */
    RAID5(4, 3, 1),
    /** RAID-6: striping with P (XOR) and Q (Reed-Solomon over GF(2^8)) chunks per stripe. */
    RAID6(5, 4, 2),
    /** RAID-10: striping over mirrored pairs. */
    RAID10(6, 4, 0);

    private final int code;
    private final int minMembers;
    private final int parityChunks;

    RaidMode(int code, int minMembers, int parityChunks) {
        this.code = code;
        this.minMembers = minMembers;
        this.parityChunks = parityChunks;
    }

    /** The byte that identifies the mode in a device label. */
    public int code() {
        return code;
    }

    /** Fewest member devices the mode accepts. */
    public int minMembers() {
        return minMembers;
    }

    /** Parity chunks per stripe: 1 for RAID-5, 2 for RAID-6, 0 otherwise. */
    public int parityChunks() {
        return parityChunks;
    }

    /**
     * Copies of each data chunk for the mirrored modes (1 for the others).
     *
     * @throws MatrixArgumentException if the mode does not accept {@code members} devices
     */
    public int copies(int members) {
        checkMembers(members);
        return switch (this) {
            case RAID1 -> members;
            case RAID10 -> 2;
            default -> 1;
        };
    }

    /**
     * Data chunks per stripe with {@code members} devices.
     *
     * @throws MatrixArgumentException if the mode does not accept {@code members} devices
     */
    public int dataChunks(int members) {
        return (members - parityChunks) / copies(members);
    }

    /** Whether the mode survives a failed member. */
    public boolean redundant() {
        return this != NORMAL && this != RAID0;
    }

    /** The mode with label code {@code code}, if there is one. */
    public static java.util.Optional<RaidMode> fromCode(int code) {
        for (RaidMode mode : values()) {
            if (mode.code == code) {
                return java.util.Optional.of(mode);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Checks a member count for this mode.
     *
     * @throws MatrixArgumentException naming the count if the mode does not accept it
     */
    public void checkMembers(int members) {
        if (members < minMembers || (this == NORMAL && members != 1) || (this == RAID10 && members % 2 != 0)) {
            String rule = switch (this) {
                case NORMAL -> "exactly 1";
                case RAID10 -> "an even number >= 4";
                default -> ">= " + minMembers;
            };
            throw new MatrixArgumentException(this + " needs " + rule + " devices, got " + members);
        }
        if (members > 64) {
            throw new MatrixArgumentException(this + " accepts at most 64 devices, got " + members);
        }
    }
}
