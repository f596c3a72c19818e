package io.coems.cli;

/**
 * The offsets of a {@link Workload}'s requests in the order they are issued, as
 * {@code qemu-img bench} 7.2 computes them: the first request at the offset given, each next one
 * {@code step} bytes further, wrapped modulo the volume's size. A wrapped offset may leave too
 * little room for a request; qemu-img then fails the run, and so does {@link #next}.
 *
 * <p>Thread-safe: the workers of a run take their requests from one schedule.
 */
final class RequestSchedule {
    private final Workload workload;
    private final long volumeSize;
    private long issued;
    private long nextOffset;

    /**
     * The schedule of {@code workload} on a volume of {@code volumeSize} bytes.
     *
     * @throws IllegalArgumentException if the first request does not fit in the volume
     */
    RequestSchedule(Workload workload, long volumeSize) {
        workload.checkFits(volumeSize);
        this.workload = workload;
        this.volumeSize = volumeSize;
        this.nextOffset = workload.offset();
    }

    /** One request: its place in the run (from 0) and its offset in the volume. */
    record Request(long index, long offset) {
    }

    /**
     * Issues the next request if it is one of the first {@code limit} (and of the count), else
     * returns null.
     *
     * @throws Coems.Failure if its offset leaves too little room before the volume's end
     */
    synchronized Request next(long limit) {
        if (issued >= Math.min(limit, workload.count())) {
            return null;
        }
        long offset = nextOffset;
        if (offset > volumeSize - workload.size()) {
            throw new Coems.Failure("request " + issued + " at offset " + offset + " runs past the end of the volume of "
                    + volumeSize + " bytes (offsets wrap modulo the volume's size, as in qemu-img bench 7.2)");
        }
        // The step is at most 2^31-1 and the offset below the volume's size (16 TiB at most): no overflow.
        nextOffset = (offset + workload.step()) % volumeSize;
        return new Request(issued++, offset);
    }

    /** How many requests have been issued. */
    synchronized long issued() {
        return issued;
    }
}
