package io.coems.matrix;

/**
 * More members of a Logical Block Space have failed than its mode tolerates (none for NORMAL
 * and RAID-0, one for RAID-1 pairs, RAID-5 and RAID-10, two for RAID-6): the data asked for
 * cannot be read or written.
 */
public class RedundancyLostException extends MatrixIoException {
    /** An exception naming the Logical Block Space and its failed members. */
    public RedundancyLostException(String message) {
        super(message);
    }
}
