package io.coems.sfs;

/**
 * Names a descriptor: its index in the descriptor vnode and the record's generation. Freed
 * indexes are reused in order with a new generation, so a kept id of a freed descriptor fails
 * with {@link SfsNotFoundException} instead of reaching its successor.
 *
 * @param index      record index
 * @param generation record generation, never 0
 */
public record DescriptorId(int index, int generation) {
    @Override
    public String toString() {
        return "descriptor " + index + ":" + Integer.toUnsignedString(generation);
    }
}
