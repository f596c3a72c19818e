package io.coems.matrix.device;

import io.coems.matrix.MatrixArgumentException;
import io.coems.matrix.MatrixIoException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Linux {@code fallocate(2)} through {@code java.lang.foreign}: allocates every block of a file
 * on its file system (unwritten extents: reads still see the data, or zeros). Loaded only once
 * {@link MappedFileDevice} has checked that its module has native access and the system is Linux,
 * so a JVM without {@code --enable-native-access} never reaches a restricted method.
 *
 * <p>The descriptor {@link #allocate} opens stays open until {@link #close}: closing any
 * descriptor of a file drops the {@code fcntl} lock this process holds on it, which is how a
 * device keeps other processes out.
 */
final class Fallocate {
    /** Linux x86-64 and AArch64 values. */
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = bind("open", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle FALLOCATE = bind("fallocate", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle CLOSE = bind("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(symbol("strerror"),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Fallocate() {
    }

    /** Does nothing; the first call binds the C functions, or fails if the C library lacks one. */
    static void load() {
    }

    /**
     * Allocates bytes 0 to {@code length} of the file at {@code path}, which must already be that
     * long (mode 0 would otherwise grow it), keeping its data.
     *
     * @return the descriptor used, still open: {@link #close} it once the file's lock is released
     * @throws MatrixArgumentException if the file system cannot preallocate ({@code EOPNOTSUPP})
     * @throws MatrixIoException if the file cannot be opened or the space allocated ({@code ENOSPC}...)
     */
    static int allocate(Path path, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_WRONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new MatrixIoException("cannot preallocate device " + path + ": open: " + describe(errno(state)));
            }
            int result;
            do {
                result = (int) FALLOCATE.invokeExact(state, fd, 0, 0L, length);
            } while (result != 0 && errno(state) == EINTR);
            if (result == 0) {
                return fd;
            }
            int errno = errno(state);
            close(fd);
            String failure = "cannot preallocate " + length + " bytes for device " + path + ": fallocate: "
                    + describe(errno);
            throw switch (errno) {
                case EOPNOTSUPP -> new MatrixArgumentException(failure
                        + "; its file system cannot preallocate: do without preallocation, or use another one");
                case ENOSPC -> new MatrixIoException(failure + "; the file system has not that much free space");
                default -> new MatrixIoException(failure);
            };
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("a C library call failed in the JVM", e);
        }
    }

    /** Closes a descriptor {@link #allocate} returned; true unless {@code close(2)} failed. */
    static boolean close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd) == 0;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("a C library call failed in the JVM", e);
        }
    }

    /** An errno as people read it: "No space left on device (errno 28)". */
    private static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0) + " (errno " + errno + ")";
        } catch (Throwable e) {
            return "errno " + errno;
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in the C library"));
    }

    private static MethodHandle bind(String name, MemoryLayout result, MemoryLayout... arguments) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, arguments),
                Linker.Option.captureCallState("errno"));
    }
}
