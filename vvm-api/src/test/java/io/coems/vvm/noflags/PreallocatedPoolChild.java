package io.coems.vvm.noflags;

import io.coems.vvm.PoolException;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.VolumePool;

import java.nio.file.Path;

/**
 * Run by {@code PreallocatedPoolTest} in a JVM with no flags, as an application embedding the
 * library: creates a preallocated pool in {@code args[0]} and prints what happened. Outside the
 * package of the API, so that it loads from the class path when the library is on the module path.
 */
public final class PreallocatedPoolChild {
    private PreallocatedPoolChild() {
    }

    public static void main(String[] args) {
        PoolOptions options = PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES).withMaxBytes(256L << 20)
                .withPreallocate(true);
        try (VolumePool pool = VolumePool.create(Path.of(args[0]), options)) {
            System.out.print("created " + pool + "\n");
        } catch (PoolException e) {
            System.out.print(e.getClass().getSimpleName() + ": " + e.getMessage() + "\n");
        }
    }
}
