package io.coems.matrix.lbs;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * A lock-free pool of reusable scratch objects (off-heap block buffers), so the I/O paths do
 * not allocate per call. It grows to the number of threads working at once.
 */
final class Pool<T> {
    private final Queue<T> free = new ConcurrentLinkedQueue<>();
    private final Supplier<T> factory;

    Pool(Supplier<T> factory) {
        this.factory = factory;
    }

    T take() {
        T item = free.poll();
        return item != null ? item : factory.get();
    }

    void give(T item) {
        free.offer(item);
    }
}
