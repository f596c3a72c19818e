package io.coems.sfs;

import java.lang.foreign.MemorySegment;

/**
 * The operations of one {@link SuperFileSystem#atomically atomic change}: they all become
 * durable together, or none does. Each works as its namesake on {@link SuperFileSystem}; a
 * failing one (no space, bad argument) abandons the whole change. Valid only inside the
 * {@code atomically} call that handed it out, on that call's thread: used after that call
 * returned, or from another thread, every operation throws {@link SfsArgumentException} and
 * changes nothing.
 */
public interface SfsBatch {
    /** Creates an empty vnode of {@code size} bytes, as {@link SuperFileSystem#create}. */
    VnodeId create(long size);

    /**
     * Spawns a child of {@code parent}, as {@link SuperFileSystem#spawn}.
     *
     * @throws SfsArgumentException if {@code parent} was not named to {@code atomically}
     */
    VnodeId spawn(VnodeId parent);

    /**
     * Deletes a vnode, as {@link SuperFileSystem#delete}; its blocks are released after the
     * change is durable.
     *
     * @throws SfsArgumentException if {@code id} was not named to {@code atomically}
     */
    void delete(VnodeId id);

    /** Stores a new descriptor, as {@link SuperFileSystem#createDescriptor}. */
    DescriptorId createDescriptor(int type, MemorySegment payload);

    /** Replaces a descriptor's payload, as {@link SuperFileSystem#updateDescriptor}. */
    void updateDescriptor(DescriptorId id, MemorySegment payload);

    /** Frees a descriptor, as {@link SuperFileSystem#freeDescriptor}. */
    void freeDescriptor(DescriptorId id);
}
