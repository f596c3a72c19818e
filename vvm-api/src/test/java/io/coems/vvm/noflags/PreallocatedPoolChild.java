package io.coems.vvm.noflags;

import io.coems.vvm.PoolException;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.VolumePool;

import java.nio.file.Path;

/**
 * Run by {@code PreallocatedPoolTest} in a JVM with no flags, as an application embedding the
 * library: {@code create} makes a preallocated pool in directory {@code args[1]}, {@code grow}
 * opens the pool there with options that do not ask for preallocation and grows it; prints what
 * happened. Outside the package of the API, so that it loads from the class path when the library
 * is on the module path.
 */
public final class PreallocatedPoolChild {
    private PreallocatedPoolChild() {
    }

    public static void main(String[] args) {
        PoolOptions options = PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES).withMaxBytes(256L << 20);
        Path dir = Path.of(args[1]);
        try {
            if (args[0].equals("create")) {
                try (VolumePool pool = VolumePool.create(dir, options.withPreallocate(true))) {
                    System.out.print("created " + pool + "\n");
                }
            } else {
                try (VolumePool pool = VolumePool.open(dir, options)) {
                    pool.grow();
                    System.out.print("grew: preallocated=" + pool.preallocated() + " files="
                            + pool.spaces().size() + "\n");
                }
            }
        } catch (PoolException e) {
            System.out.print(e.getClass().getSimpleName() + ": " + e.getMessage() + "\n");
        }
    }
}
