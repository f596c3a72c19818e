/**
 * UDP sockets for the NVSP reference server and client: a {@link io.coems.nvsp.transport.DatagramPort}
 * sends a batch of equal-sized datagrams in one system call and receives such a batch whole
 * (Linux UDP GSO and GRO, through the FFM API) where the caller's module has native access, and
 * falls back to a {@link java.nio.channels.DatagramChannel} everywhere else.
 */
module io.coems.nvsp.transport {
    requires org.slf4j;

    exports io.coems.nvsp.transport;
}
