package io.coems.nvsp.transport;

import static io.coems.nvsp.transport.LinuxUdp.CMSG_HEADER;
import static io.coems.nvsp.transport.LinuxUdp.CMSG_SPACE_SMALL;
import static io.coems.nvsp.transport.LinuxUdp.EAGAIN;
import static io.coems.nvsp.transport.LinuxUdp.ECONNREFUSED;
import static io.coems.nvsp.transport.LinuxUdp.EINTR;
import static io.coems.nvsp.transport.LinuxUdp.MSG_CONTROLLEN;
import static io.coems.nvsp.transport.LinuxUdp.MSG_FLAGS;
import static io.coems.nvsp.transport.LinuxUdp.MSG_NAMELEN;
import static io.coems.nvsp.transport.LinuxUdp.SOCKADDR_SIZE;
import static io.coems.nvsp.transport.LinuxUdp.SOL_UDP;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux UDP socket driven through the FFM API: a batch goes out in one {@code sendmsg} with a
 * {@code UDP_SEGMENT} control message (the kernel cuts it into the datagrams, after the
 * loopback device or in the NIC), and with {@code UDP_GRO} enabled such a batch arriving whole
 * is read by one {@code recvmsg}, whose {@code UDP_GRO} control message gives the segment size.
 * Waiting is a {@code poll} on the socket and an eventfd that {@link #wakeup} writes.
 *
 * <p>Where the kernel refuses segmentation for a size ({@code EIO}: no checksum offload on the
 * route; {@code EINVAL}/{@code EMSGSIZE}: larger than the route's MTU) the batch goes out one
 * datagram per call instead, and so does every later batch of that size or larger.
 *
 * <p>Descriptors are closed, and the port's native memory freed, by the last thread to leave a
 * call once {@link #close} was called, so no call ever runs on a descriptor number the process
 * reused or on freed memory. A sending thread takes a set of native buffers from a pool for the
 * length of its call (the pool holds as many as ever sent at once); the receiving thread has
 * its own.
 */
final class GsoPort extends ReceivingPort {
    private static final Logger LOG = LoggerFactory.getLogger(GsoPort.class);
    private static final int CLOSED = Integer.MIN_VALUE;
    private static final long CONTROL_CAPACITY = 64;

    private final int fd;
    private final int eventFd;
    private final int family;
    private final InetSocketAddress local;
    /** Bit 31: closed; the rest: threads inside a call. */
    private final AtomicInteger state = new AtomicInteger();
    /** Batches of larger segments go out one datagram per call. */
    private volatile int segmentationLimit = Integer.MAX_VALUE;
    /** All native memory of the port, freed when the descriptors are closed. */
    private final Arena arena = Arena.ofShared();
    /** Sending threads' buffers: as many as ever sent at once, each used by one thread at a time. */
    private final ConcurrentLinkedDeque<Buffers> idleBuffers = new ConcurrentLinkedDeque<>();
    private final Buffers receiveBuffers = new Buffers(arena);
    private final MemorySegment pollFds = arena.allocate(16, 8);
    private final MemorySegment lastName = arena.allocate(SOCKADDR_SIZE, 8);
    private int lastNameLength;

    /** Native memory for one thread's call: errno capture, msghdr, iovec, control, address, data. */
    private static final class Buffers {
        final MemorySegment callState;
        final MemorySegment message;
        final MemorySegment iovec;
        final MemorySegment control;
        final MemorySegment name;
        final MemorySegment data;
        final MemorySegment word;
        InetSocketAddress encoded;
        int encodedLength;

        Buffers(Arena arena) {
            callState = LinuxUdp.newCallState(arena);
            message = arena.allocate(LinuxUdp.MSGHDR_SIZE, 8);
            iovec = arena.allocate(LinuxUdp.IOVEC_SIZE, 8);
            control = arena.allocate(CONTROL_CAPACITY, 8);
            name = arena.allocate(SOCKADDR_SIZE, 8);
            data = arena.allocate(RECEIVE_CAPACITY, 64);
            word = arena.allocate(JAVA_LONG);
        }
    }

    private GsoPort(int fd, int eventFd, int family, InetSocketAddress local) {
        this.fd = fd;
        this.eventFd = eventFd;
        this.family = family;
        this.local = local;
        pollFds.set(JAVA_INT, 0, fd);
        pollFds.set(JAVA_SHORT, 4, LinuxUdp.POLLIN);
        pollFds.set(JAVA_INT, 8, eventFd);
        pollFds.set(JAVA_SHORT, 12, LinuxUdp.POLLIN);
    }

    /**
     * Opens the socket, with segmentation offload and receive coalescing enabled.
     *
     * @throws UnsupportedOperationException if this kernel has no UDP GSO or GRO
     * @throws IOException if the socket cannot be opened, bound or connected
     */
    static GsoPort open(InetSocketAddress localAddress, InetSocketAddress remote, int bufferBytes)
            throws IOException {
        InetSocketAddress anchor = localAddress != null ? localAddress : remote;
        if (anchor.getAddress() == null) {
            throw new IOException("the address " + anchor + " is unresolved");
        }
        int family = anchor.getAddress() instanceof Inet6Address ? LinuxUdp.AF_INET6 : LinuxUdp.AF_INET;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = LinuxUdp.newCallState(arena);
            int fd = LinuxUdp.socket(callState, family, LinuxUdp.SOCK_DGRAM_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket", LinuxUdp.errno(callState));
            }
            int eventFd = -1;
            try {
                MemorySegment value = arena.allocate(JAVA_INT);
                setOption(fd, LinuxUdp.SOL_SOCKET, LinuxUdp.SO_RCVBUF, bufferBytes, value, callState);
                setOption(fd, LinuxUdp.SOL_SOCKET, LinuxUdp.SO_SNDBUF, bufferBytes, value, callState);
                if (family == LinuxUdp.AF_INET6) {
                    setOption(fd, LinuxUdp.IPPROTO_IPV6, LinuxUdp.IPV6_V6ONLY, 0, value, callState);
                }
                try {
                    setOption(fd, SOL_UDP, LinuxUdp.UDP_SEGMENT, 0, value, callState);
                    setOption(fd, SOL_UDP, LinuxUdp.UDP_GRO, 1, value, callState);
                } catch (IOException e) {
                    throw new UnsupportedOperationException("this kernel has no UDP segmentation offload: " + e.getMessage());
                }
                MemorySegment name = arena.allocate(SOCKADDR_SIZE, 8);
                int nameLength = SocketAddresses.encode(anchor, family, name);
                int result = localAddress != null
                        ? LinuxUdp.bind(callState, fd, name, nameLength)
                        : LinuxUdp.connect(callState, fd, name, nameLength);
                if (result < 0) {
                    String error = LinuxUdp.describe(LinuxUdp.errno(callState));
                    throw localAddress != null ? new BindException(error)
                            : new IOException("cannot connect to " + anchor + ": " + error);
                }
                MemorySegment length = arena.allocate(JAVA_INT);
                length.set(JAVA_INT, 0, SOCKADDR_SIZE);
                if (LinuxUdp.getsockname(callState, fd, name, length) < 0) {
                    throw failure("getsockname", LinuxUdp.errno(callState));
                }
                InetSocketAddress bound = SocketAddresses.decode(name);
                eventFd = LinuxUdp.eventfd(callState, 0, LinuxUdp.EFD_NONBLOCK_CLOEXEC);
                if (eventFd < 0) {
                    throw failure("eventfd", LinuxUdp.errno(callState));
                }
                return new GsoPort(fd, eventFd, family, bound);
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly(fd, callState);
                if (eventFd >= 0) {
                    closeQuietly(eventFd, callState);
                }
                throw e;
            }
        }
    }

    @Override
    public boolean batching() {
        return true;
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        if (state.get() < 0) {
            throw new ClosedChannelException();
        }
        return local;
    }

    @Override
    public int send(ByteBuffer batch, int segmentSize, InetSocketAddress to) throws IOException {
        Ports.checkBatch(batch.remaining(), segmentSize);
        enter();
        try {
            Buffers buffers = takeBuffers();
            try {
                return send(buffers, batch, segmentSize, to);
            } finally {
                idleBuffers.push(buffers);
            }
        } finally {
            exit();
        }
    }

    private int send(Buffers buffers, ByteBuffer batch, int segmentSize, InetSocketAddress to) throws IOException {
        int length = batch.remaining();
        if (batch.hasArray()) {
            MemorySegment.copy(batch.array(), batch.arrayOffset() + batch.position(), buffers.data, JAVA_BYTE, 0, length);
        } else {
            buffers.data.copyFrom(MemorySegment.ofBuffer(batch));
        }
        int nameLength = 0;
        if (to != null) {
            if (to != buffers.encoded) {
                buffers.encodedLength = SocketAddresses.encode(to, family, buffers.name);
                buffers.encoded = to;
            }
            nameLength = buffers.encodedLength;
        }
        boolean segmented = length > segmentSize && segmentSize <= segmentationLimit;
        int sent = segmented ? sendSegmented(buffers, nameLength, length, segmentSize) : -1;
        if (sent < 0) {
            sent = sendEach(buffers, nameLength, length, segmentSize);
            if (segmented && sent > 0) {
                // the refusal was about segmentation (the datagrams alone go), not the peer or socket
                segmentationLimit = Math.min(segmentationLimit, segmentSize - 1);
                LOG.debug("UDP segmentation refused for {}-byte datagrams: sending them one by one", segmentSize);
            }
        }
        batch.position(batch.position() + sent);
        return sent;
    }

    /**
     * One call for the whole batch; -1 when the kernel refused it with an error that refusing
     * segmentation gives (the caller then sends the datagrams one by one, and only if that works
     * stops segmenting this size: an EINVAL may as well be about the destination).
     */
    private int sendSegmented(Buffers buffers, int nameLength, int length, int segmentSize) throws IOException {
        MemorySegment control = buffers.control;
        control.set(JAVA_LONG, 0, CMSG_HEADER + Short.BYTES);
        control.set(JAVA_INT, 8, SOL_UDP);
        control.set(JAVA_INT, 12, LinuxUdp.UDP_SEGMENT);
        control.set(JAVA_SHORT, CMSG_HEADER, (short) segmentSize);
        long result = sendMessage(buffers, nameLength, 0, length, CMSG_SPACE_SMALL);
        if (result >= 0) {
            return length;
        }
        int errno = (int) -result;
        if (errno == EAGAIN) {
            return 0;
        }
        if (errno == LinuxUdp.EIO || errno == LinuxUdp.EINVAL || errno == LinuxUdp.EMSGSIZE) {
            LOG.trace("UDP segmentation of {}-byte datagrams refused: errno {}", segmentSize, errno);
            return -1;
        }
        throw sendFailure(errno);
    }

    /** One call per datagram, until the socket buffer is full. */
    private int sendEach(Buffers buffers, int nameLength, int length, int segmentSize) throws IOException {
        int sent = 0;
        while (sent < length) {
            int size = Math.min(segmentSize, length - sent);
            long result = sendMessage(buffers, nameLength, sent, size, 0);
            if (result < 0) {
                int errno = (int) -result;
                if (errno == EAGAIN || sent > 0) {
                    break;
                }
                throw sendFailure(errno);
            }
            sent += size;
        }
        return sent;
    }

    /** Sends the data at an offset of the thread's buffer; the result, or minus errno. */
    private long sendMessage(Buffers buffers, int nameLength, int offset, int size, long controlLength) {
        buffers.iovec.set(ADDRESS, 0, buffers.data.asSlice(offset, size));
        buffers.iovec.set(JAVA_LONG, 8, size);
        LinuxUdp.fillMessage(buffers.message, buffers.name, nameLength, buffers.iovec, buffers.control, controlLength);
        while (true) {
            long result = LinuxUdp.sendmsg(buffers.callState, fd, buffers.message, LinuxUdp.MSG_DONTWAIT);
            if (result >= 0) {
                return result;
            }
            int errno = LinuxUdp.errno(buffers.callState);
            if (errno != EINTR) {
                return -errno;
            }
        }
    }

    private static IOException sendFailure(int errno) {
        return errno == ECONNREFUSED
                ? new PortUnreachableException("the peer refused an earlier datagram")
                : failure("sendmsg", errno);
    }

    @Override
    public int receive(ByteBuffer into) throws IOException {
        checkRoom(into);
        enter();
        try {
            Buffers buffers = receiveBuffers;
            MemorySegment message = buffers.message;
            buffers.iovec.set(ADDRESS, 0, buffers.data);
            buffers.iovec.set(JAVA_LONG, 8, RECEIVE_CAPACITY);
            while (true) {
                LinuxUdp.fillMessage(message, buffers.name, SOCKADDR_SIZE, buffers.iovec, buffers.control,
                        CONTROL_CAPACITY);
                long result = LinuxUdp.recvmsg(buffers.callState, fd, message, LinuxUdp.MSG_DONTWAIT);
                if (result < 0) {
                    int errno = LinuxUdp.errno(buffers.callState);
                    if (errno == EAGAIN) {
                        return 0;
                    }
                    if (errno == EINTR) {
                        continue;
                    }
                    throw errno == ECONNREFUSED
                            ? new PortUnreachableException("the peer refused an earlier datagram")
                            : failure("recvmsg", errno);
                }
                int length = (int) result;
                if (length == 0 || (message.get(JAVA_INT, MSG_FLAGS) & LinuxUdp.MSG_TRUNC) != 0) {
                    if (length != 0) {
                        LOG.debug("dropped a received batch larger than {} bytes", RECEIVE_CAPACITY);
                    }
                    continue; // nothing to deliver, or more than any batch: not ours
                }
                // the kernel reports the address's full length, which may exceed the buffer's
                received(sender(buffers.name, Math.min(message.get(JAVA_INT, MSG_NAMELEN), SOCKADDR_SIZE)),
                        coalescedSegmentSize(buffers.control, message.get(JAVA_LONG, MSG_CONTROLLEN), length));
                if (into.hasArray()) {
                    MemorySegment.copy(buffers.data, JAVA_BYTE, 0, into.array(), into.arrayOffset() + into.position(),
                            length);
                } else {
                    MemorySegment.ofBuffer(into).copyFrom(buffers.data.asSlice(0, length));
                }
                into.position(into.position() + length);
                return length;
            }
        } finally {
            exit();
        }
    }

    /** The {@code UDP_GRO} segment size among the control messages, or the length if none. */
    private static int coalescedSegmentSize(MemorySegment control, long controlLength, int length) {
        for (long at = 0; at + CMSG_HEADER <= controlLength; ) {
            long size = control.get(JAVA_LONG, at);
            if (size < CMSG_HEADER || at + size > controlLength) {
                break;
            }
            if (control.get(JAVA_INT, at + 8) == SOL_UDP && control.get(JAVA_INT, at + 12) == LinuxUdp.UDP_GRO
                    && size >= CMSG_HEADER + Integer.BYTES) {
                int segment = control.get(JAVA_INT, at + CMSG_HEADER);
                return segment > 0 ? Math.min(segment, length) : length;
            }
            at += (size + 7) & ~7L;
        }
        return length;
    }

    /** The sender of a batch: the previous one's address object if the address is the same. */
    private InetSocketAddress sender(MemorySegment name, int nameLength) throws IOException {
        InetSocketAddress previous = sender();
        if (previous != null && nameLength == lastNameLength
                && MemorySegment.mismatch(name, 0, nameLength, lastName, 0, nameLength) < 0) {
            return previous;
        }
        InetSocketAddress decoded = SocketAddresses.decode(name);
        MemorySegment.copy(name, 0, lastName, 0, nameLength);
        lastNameLength = nameLength;
        return decoded;
    }

    @Override
    public void await(long timeoutMillis) throws IOException {
        enter();
        try {
            MemorySegment callState = receiveBuffers.callState;
            pollFds.set(JAVA_SHORT, 6, (short) 0);
            pollFds.set(JAVA_SHORT, 14, (short) 0);
            int timeout = (int) Math.clamp(timeoutMillis, 1, Integer.MAX_VALUE);
            int result = LinuxUdp.poll(callState, pollFds, 2L, timeout);
            if (result < 0 && LinuxUdp.errno(callState) != EINTR) {
                throw failure("poll", LinuxUdp.errno(callState));
            }
            if ((pollFds.get(JAVA_SHORT, 14) & LinuxUdp.POLLIN) != 0) {
                LinuxUdp.read(callState, eventFd, receiveBuffers.word, 8L); // resets the counter
            }
        } finally {
            exit();
        }
    }

    @Override
    public void wakeup() {
        if (tryEnter()) {
            try {
                signal();
            } finally {
                exit();
            }
        }
    }

    @Override
    public void close() {
        while (true) {
            int current = state.get();
            if (current < 0) {
                return;
            }
            if (state.compareAndSet(current, (current + 1) | CLOSED)) {
                break; // inside as a user until the signal is written
            }
        }
        try {
            signal();
        } finally {
            exit();
        }
    }

    /** Makes a poll return: adds 1 to the eventfd's counter (a full counter is already readable). */
    private void signal() {
        Buffers buffers = takeBuffers();
        try {
            buffers.word.set(JAVA_LONG, 0, 1L);
            LinuxUdp.write(buffers.callState, eventFd, buffers.word, 8L);
        } finally {
            idleBuffers.push(buffers);
        }
    }

    /** Buffers no other thread uses until they are pushed back; only inside a call. */
    private Buffers takeBuffers() {
        Buffers buffers = idleBuffers.poll();
        return buffers != null ? buffers : new Buffers(arena);
    }

    private void enter() throws ClosedChannelException {
        if (!tryEnter()) {
            throw new ClosedChannelException();
        }
    }

    private boolean tryEnter() {
        while (true) {
            int current = state.get();
            if (current < 0) {
                return false;
            }
            if (state.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    private void exit() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    /** Closes the descriptors and frees the native memory: no thread is inside a call any more. */
    private void release() {
        MemorySegment callState = receiveBuffers.callState;
        closeQuietly(fd, callState);
        closeQuietly(eventFd, callState);
        arena.close();
    }

    private static void setOption(int fd, int level, int option, int value, MemorySegment scratch,
            MemorySegment callState) throws IOException {
        scratch.set(JAVA_INT, 0, value);
        if (LinuxUdp.setsockopt(callState, fd, level, option, scratch, Integer.BYTES) < 0) {
            throw failure("setsockopt(" + level + ", " + option + ")", LinuxUdp.errno(callState));
        }
    }

    private static void closeQuietly(int descriptor, MemorySegment callState) {
        LinuxUdp.close(callState, descriptor);
    }

    private static IOException failure(String call, int errno) {
        return new IOException(call + " failed: " + LinuxUdp.describe(errno));
    }
}
