package io.coems.nvsp.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.EncodingException;
import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.Vectors;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Field rules the encoders and decoders enforce beyond the layout: session ids, PSK sizes, field order. */
class FieldRulesTest {
    private final MemorySegment buffer = MemorySegment.ofArray(new byte[512]);

    private ManagementRequest registerClient() {
        return new ManagementRequest().encode(buffer, 0, 512, MessageType.REGISTER_CLIENT).fencingToken(5);
    }

    @Test
    void settingTheNameAfterTheSecretKeepsTheSecret() {
        ManagementRequest sent = registerClient().putSecret(Vectors.bytes(0xc0, 32)).name("host-a");
        assertEquals(32, sent.secretLength(), "name() zeroed secretLength");
        ManagementRequest got = new ManagementRequest().wrap(buffer, 0, sent.encodedLength());
        assertEquals("host-a", got.name());
        assertArrayEquals(Vectors.bytes(0xc0, 32), got.secret(), "name() overwrote the pre-shared key");
        ManagementRequest renamed = registerClient().name("a-much-longer-host-name").putSecret(Vectors.bytes(1, 32))
                .name("b");
        assertArrayEquals(Vectors.bytes(1, 32), new ManagementRequest().wrap(buffer, 0, renamed.encodedLength())
                .secret());
    }

    @Test
    void aNameThatLeavesNoRoomForTheSecretIsRejectedWithoutDamage() {
        ManagementRequest sent = new ManagementRequest().encode(buffer, 0, 100, MessageType.REGISTER_CLIENT)
                .putSecret(Vectors.bytes(7, 32));
        assertThrows(EncodingException.class, () -> sent.name("x".repeat(20)));
        assertEquals(0, sent.nameLength());
        assertArrayEquals(Vectors.bytes(7, 32), sent.secret());
    }

    @Test
    void registerClientCarriesExactlyAThirtyTwoBytePreSharedKey() {
        assertThrows(EncodingException.class, () -> registerClient().putSecret(new byte[16]));
        ManagementRequest sent = registerClient().name("host-a").putSecret(Vectors.bytes(0, 32));
        int length = sent.encodedLength();
        buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED, 50, (short) 31);
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new ManagementRequest().wrap(buffer, 0, length));
        assertEquals("secretLength", e.field());
        int withoutSecret = registerClient().name("host-a").encodedLength();
        assertThrows(MalformedMessageException.class, () -> new ManagementRequest().wrap(buffer, 0, withoutSecret));
        new ManagementRequest().encode(buffer, 0, 512, MessageType.CREATE_VOLUME).putSecret(new byte[3]);
    }

    @Test
    void acceptNeverCarriesSessionIdZero() {
        Accept accept = new Accept().encode(buffer, 0, 512, MessageType.ACCEPT);
        assertThrows(EncodingException.class, () -> accept.sessionId(0));
        int length = accept.encodedLength();
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> new Accept().wrap(buffer, 0, length));
        assertEquals("sessionId", e.field());
        accept.sessionId(1);
        assertEquals(1, new Accept().wrap(buffer, 0, length).sessionId());
    }
}
