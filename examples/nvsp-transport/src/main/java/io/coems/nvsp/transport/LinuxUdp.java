package io.coems.nvsp.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * The Linux C library calls and constants {@link GsoPort} needs, bound through the FFM API.
 * Every call takes a call-state segment first ({@link #newCallState}) into which the JDK
 * captures {@code errno}. Loaded only once native access is known to be enabled and the platform
 * is 64-bit Linux (loading binds the handles, which are restricted methods).
 *
 * <p>Structures, 64-bit Linux (LP64):
 * <pre>
 *  struct msghdr (56 bytes)                struct cmsghdr + data
 *  0      8       16     24      32        0       8       12      16
 *  +------+-------+------+-------+         +-------+-------+-------+--------------+
 *  | name |namelen| iov  |iovlen |         |  len  | level | type  | data ...     |
 *  +------+-------+------+-------+         +-------+-------+-------+--------------+
 *  32       40         48      56          struct iovec: base (8), len (8)
 *  +--------+----------+-------+           struct pollfd: fd (4), events (2), revents (2)
 *  |control |controllen| flags |
 *  +--------+----------+-------+
 * </pre>
 */
final class LinuxUdp {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM_CLOEXEC = 2 | 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;
    static final int EFD_NONBLOCK_CLOEXEC = 0x800 | 0x80000;
    static final short POLLIN = 1;

    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int EINVAL = 22;
    static final int EMSGSIZE = 90;
    static final int ECONNREFUSED = 111;
    private static final Map<Integer, String> ERRORS = Map.ofEntries(Map.entry(1, "operation not permitted"),
            Map.entry(EINTR, "interrupted"), Map.entry(EIO, "input/output error"), Map.entry(9, "bad file descriptor"),
            Map.entry(EAGAIN, "resource temporarily unavailable"), Map.entry(12, "out of memory"),
            Map.entry(13, "permission denied"), Map.entry(EINVAL, "invalid argument"),
            Map.entry(24, "too many open files"), Map.entry(EMSGSIZE, "message too long"),
            Map.entry(92, "protocol not available"), Map.entry(97, "address family not supported"),
            Map.entry(98, "address already in use"), Map.entry(99, "cannot assign requested address"),
            Map.entry(101, "network is unreachable"), Map.entry(105, "no buffer space available"),
            Map.entry(ECONNREFUSED, "connection refused"), Map.entry(113, "no route to host"));

    static final long MSGHDR_SIZE = 56;
    static final long MSG_NAME = 0;
    static final long MSG_NAMELEN = 8;
    static final long MSG_IOV = 16;
    static final long MSG_IOVLEN = 24;
    static final long MSG_CONTROL = 32;
    static final long MSG_CONTROLLEN = 40;
    static final long MSG_FLAGS = 48;
    static final long IOVEC_SIZE = 16;
    static final long CMSG_HEADER = 16;
    /** CMSG_SPACE of a 2-byte or 4-byte value: header plus data rounded up to 8. */
    static final long CMSG_SPACE_SMALL = 24;
    /** The largest socket address: sockaddr_in6. */
    static final int SOCKADDR_SIZE = 28;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = bind("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = bind("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle CONNECT = bind("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = bind("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle SETSOCKOPT =
            bind("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SENDMSG = bind("sendmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMSG = bind("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = bind("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle EVENTFD = bind("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = bind("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = bind("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle CLOSE = bind("close", JAVA_INT, JAVA_INT);

    private LinuxUdp() {
    }

    // Each call returns what the C function returns; on -1 the errno is in the call state.

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static int bind(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(state, fd, address, length);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static int connect(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) CONNECT.invokeExact(state, fd, address, length);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, address, length);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static int setsockopt(MemorySegment state, int fd, int level, int option, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(state, fd, level, option, value, length);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static long sendmsg(MemorySegment state, int fd, MemorySegment message, int flags) {
        try {
            return (long) SENDMSG.invokeExact(state, fd, message, flags);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static long recvmsg(MemorySegment state, int fd, MemorySegment message, int flags) {
        try {
            return (long) RECVMSG.invokeExact(state, fd, message, flags);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static int poll(MemorySegment state, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, count, timeoutMillis);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initial, flags);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buffer, count);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer, long count) {
        try {
            return (long) WRITE.invokeExact(state, fd, buffer, count);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** A downcall throws only what the JDK would for a broken binding. */
    private static Error unexpected(Throwable e) {
        return e instanceof Error error ? error : new AssertionError("a C library call failed in the JVM", e);
    }

    /** Allocates the segment a call captures {@code errno} into, for one thread. */
    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /**
     * Fills a {@code struct msghdr} for one buffer: the address and the control messages are
     * NULL where their length is 0, the flags 0.
     */
    static void fillMessage(MemorySegment message, MemorySegment name, int nameLength, MemorySegment iovec,
            MemorySegment control, long controlLength) {
        message.set(ADDRESS, MSG_NAME, nameLength == 0 ? MemorySegment.NULL : name);
        message.set(JAVA_INT, MSG_NAMELEN, nameLength);
        message.set(ADDRESS, MSG_IOV, iovec);
        message.set(JAVA_LONG, MSG_IOVLEN, 1);
        message.set(ADDRESS, MSG_CONTROL, controlLength == 0 ? MemorySegment.NULL : control);
        message.set(JAVA_LONG, MSG_CONTROLLEN, controlLength);
        message.set(JAVA_INT, MSG_FLAGS, 0);
    }

    /** An errno as people read it: "address already in use (errno 98)". */
    static String describe(int errno) {
        return ERRORS.getOrDefault(errno, "error") + " (errno " + errno + ")";
    }

    /** The {@code errno} the last call with this state set. */
    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    private static MethodHandle bind(String name, MemoryLayout result, MemoryLayout... arguments) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in the C library"));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(result, arguments),
                Linker.Option.captureCallState("errno"));
    }
}
