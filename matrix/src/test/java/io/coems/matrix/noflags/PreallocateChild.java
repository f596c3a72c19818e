package io.coems.matrix.noflags;

import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.device.MappedFileDevice;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@code PreallocationTest} in a JVM with no flags, as a consumer of the library: tries to
 * preallocate the device file {@code args[0]} and prints what happened, and
 * {@link MappedFileDevice#canPreallocate()}. It lives outside the
 * device package so that it loads from the class path when the library is on the module path.
 */
public final class PreallocateChild {
    private PreallocateChild() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        try (MappedFileDevice device = MappedFileDevice.create(file, 64, false,
                MappedFileDevice.Allocation.PREALLOCATED)) {
            System.out.print("created " + device + "\n");
        } catch (MatrixArgumentException e) {
            System.out.print("refused: " + e.getMessage() + "; exists=" + Files.exists(file)
                    + "; canPreallocate=" + MappedFileDevice.canPreallocate() + "\n");
        }
    }
}
