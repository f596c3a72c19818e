package io.coems.matrix.lbs;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all labels of one matrix share: its UUID, the generation counter that every label
 * change advances, and the number of Logical Block Spaces.
 */
public final class MatrixIdentity {
    private final UUID id;
    private final AtomicLong generation;
    private volatile int lbsCount;

    /** An identity whose newest label so far carries {@code generation}. */
    public MatrixIdentity(UUID id, long generation, int lbsCount) {
        this.id = id;
        this.generation = new AtomicLong(generation);
        this.lbsCount = lbsCount;
    }

    /** The matrix UUID. */
    public UUID id() {
        return id;
    }

    /** The next label generation. */
    long nextGeneration() {
        return generation.incrementAndGet();
    }

    /** Number of spaces the labels record. */
    public int lbsCount() {
        return lbsCount;
    }

    /** Records that the matrix now has {@code count} spaces; labels written from now on say so. */
    public void lbsCount(int count) {
        this.lbsCount = count;
    }
}
