package io.coems.nvsp;

import io.coems.nvsp.message.Accept;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.Cookie;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.Layout;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.Message;
import io.coems.nvsp.message.MessageHeader;
import io.coems.nvsp.message.Nack;
import io.coems.nvsp.message.ReadResponse;
import io.coems.nvsp.message.StatusResponse;
import io.coems.nvsp.message.WriteRequest;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

/** Test helper: decodes a message of any type with the flyweight of its layout. */
public final class AnyMessage {
    private final MessageHeader header = new MessageHeader();
    private final Map<Layout, Message<?>> decoders = new EnumMap<>(Layout.class);

    public AnyMessage() {
        decoders.put(Layout.STATUS, new StatusResponse());
        decoders.put(Layout.HELLO, new Hello());
        decoders.put(Layout.COOKIE, new Cookie());
        decoders.put(Layout.AUTHENTICATE, new Authenticate());
        decoders.put(Layout.ACCEPT, new Accept());
        decoders.put(Layout.NACK, new Nack());
        decoders.put(Layout.BLOCK, new BlockRequest());
        decoders.put(Layout.WRITE, new WriteRequest());
        decoders.put(Layout.DATA, new ReadResponse());
        decoders.put(Layout.EXTENTS, new BlockStatusResponse());
        decoders.put(Layout.MANAGEMENT, new ManagementRequest());
        decoders.put(Layout.MANAGEMENT_RESULT, new ManagementResponse());
    }

    /** Decodes and describes a message, reading every field; verifies data checksums. */
    public String describe(MemorySegment segment, long offset, int length) {
        Layout layout = header.wrap(segment, offset, length).type().layout();
        if (layout == Layout.EMPTY) {
            return header.type().name();
        }
        Message<?> message = decoders.get(layout).wrap(segment, offset, length);
        if (message instanceof WriteRequest write) {
            write.data().verify();
        } else if (message instanceof ReadResponse read) {
            read.data().verify();
        }
        return message.toString();
    }
}
