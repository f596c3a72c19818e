package io.coems.vvm;

/**
 * A byte range of a volume or snapshot.
 *
 * @param offset the first byte
 * @param length how many bytes
 */
public record Extent(long offset, long length) {
    /** One past the last byte. */
    public long end() {
        return offset + length;
    }
}
