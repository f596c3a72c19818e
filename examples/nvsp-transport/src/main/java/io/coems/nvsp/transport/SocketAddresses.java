package io.coems.nvsp.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Encodes and decodes C socket addresses. An IPv6 socket is dual-stack: IPv4 peers appear as
 * IPv4-mapped addresses on the wire and as {@link Inet4Address}es here.
 *
 * <pre>
 *  sockaddr_in (16 bytes)                     sockaddr_in6 (28 bytes)
 *  0        2      4         8                0        2      4          8          24        28
 *  +--------+------+---------+--------+       +--------+------+----------+----------+---------+
 *  | family | port | IPv4    | zero   |       | family | port | flowinfo | IPv6     | scope id|
 *  +--------+------+---------+--------+       +--------+------+----------+----------+---------+
 *  family in host order, port and address in network order
 * </pre>
 */
final class SocketAddresses {
    private static final ValueLayout.OfShort PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF};

    private SocketAddresses() {
    }

    /**
     * Writes an address for a socket of the given family.
     *
     * @return the length of the C structure written
     * @throws IllegalArgumentException if the address is unresolved or IPv6 on an IPv4 socket
     */
    static int encode(InetSocketAddress address, int family, MemorySegment into) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("the address " + address + " is unresolved");
        }
        into.fill((byte) 0);
        into.set(JAVA_SHORT, 0, (short) family);
        into.set(PORT, 2, (short) address.getPort());
        if (family == LinuxUdp.AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new IllegalArgumentException("an IPv4 socket cannot reach the IPv6 address " + address);
            }
            MemorySegment.copy(ip.getAddress(), 0, into, JAVA_BYTE, 4, 4);
            return 16;
        }
        if (ip instanceof Inet6Address v6) {
            MemorySegment.copy(v6.getAddress(), 0, into, JAVA_BYTE, 8, 16);
            into.set(JAVA_INT, 24, v6.getScopeId());
        } else {
            MemorySegment.copy(MAPPED_PREFIX, 0, into, JAVA_BYTE, 8, MAPPED_PREFIX.length);
            MemorySegment.copy(ip.getAddress(), 0, into, JAVA_BYTE, 20, 4);
        }
        return LinuxUdp.SOCKADDR_SIZE;
    }

    /**
     * Reads an address the kernel wrote.
     *
     * @throws UnknownHostException if the family is neither IPv4 nor IPv6
     */
    static InetSocketAddress decode(MemorySegment from) throws UnknownHostException {
        int family = from.get(JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(from.get(PORT, 2));
        if (family == LinuxUdp.AF_INET) {
            return new InetSocketAddress(InetAddress.getByAddress(from.asSlice(4, 4).toArray(JAVA_BYTE)), port);
        }
        if (family == LinuxUdp.AF_INET6) {
            byte[] bytes = from.asSlice(8, 16).toArray(JAVA_BYTE);
            int scope = from.get(JAVA_INT, 24);
            InetAddress ip = InetAddress.getByAddress(bytes); // an IPv4-mapped address comes back as IPv4
            if (scope != 0 && ip instanceof Inet6Address) {
                ip = Inet6Address.getByAddress(null, bytes, scope);
            }
            return new InetSocketAddress(ip, port);
        }
        throw new UnknownHostException("a datagram came from an address of family " + family);
    }
}
