package io.coems.sfs.engine;

import io.coems.matrix.BlockStore;
import io.coems.matrix.MatrixException;
import io.coems.sfs.SfsIoException;

import java.lang.foreign.MemorySegment;

/** The block store under SFS, with the matrix's failures turned into {@link SfsIoException}s. */
final class Store {
    private final BlockStore blocks;

    Store(BlockStore blocks) {
        this.blocks = blocks;
    }

    long blockCount() {
        return blocks.blockCount();
    }

    void read(long block, int offset, MemorySegment dst) {
        try {
            blocks.read(block, offset, dst);
        } catch (MatrixException e) {
            throw new SfsIoException("cannot read block " + block + ": " + e.getMessage(), e);
        }
    }

    void write(long block, int offset, MemorySegment src) {
        try {
            blocks.write(block, offset, src);
        } catch (MatrixException e) {
            throw new SfsIoException("cannot write block " + block + ": " + e.getMessage(), e);
        }
    }

    void flush() {
        try {
            blocks.flush();
        } catch (MatrixException e) {
            throw new SfsIoException("flush failed: " + e.getMessage(), e);
        }
    }
}
