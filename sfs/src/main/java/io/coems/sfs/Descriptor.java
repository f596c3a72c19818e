package io.coems.sfs;

/**
 * A descriptor as read: its id, its type and a copy of its payload.
 *
 * @param id      the descriptor's id
 * @param type    its type: {@link #VOLUME}, {@link #CLIENT}, or another value reserved for later
 * @param payload its bytes, at most 2036
 */
public record Descriptor(DescriptorId id, int type, byte[] payload) {
    /** Type of the descriptors of volumes. */
    public static final int VOLUME = 1;
    /** Type of the descriptors of clients. */
    public static final int CLIENT = 2;
}
