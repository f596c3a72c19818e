package io.coems.sfs.engine;

import io.coems.sfs.format.MetaBlock;

import java.lang.foreign.MemorySegment;

/** Read access to metadata blocks: the committed state, or a transaction's view of it. */
@FunctionalInterface
interface MetaView {
    /** The content of {@code block}, a {@code kind} block; do not modify it. */
    MemorySegment read(long block, MetaBlock.Kind kind);
}
