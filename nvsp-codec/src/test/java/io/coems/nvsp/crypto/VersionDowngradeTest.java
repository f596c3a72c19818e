package io.coems.nvsp.crypto;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Vectors;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.MessageType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * A man in the middle who narrows HELLO's version range or lowers COOKIE's version cannot
 * complete the handshake: AUTHENTICATE repeats the offered range under the client proof, and
 * the cookie binds range and version to what the server saw and chose.
 */
class VersionDowngradeTest {
    private static final byte[] SECRET = Vectors.bytes(0x70, 32);
    private static final byte[] ADDRESS = {10, 0, 0, 7, 0x1f, (byte) 0x90};

    private final MemorySegment buffer = MemorySegment.ofArray(new byte[512]);

    /** The HELLO as the server receives it. */
    private Hello helloSeenByServer(int min, int max) {
        return new Hello().encode(buffer, 0, 128, MessageType.HELLO).versions(min, max).maxDatagram(1408)
                .securityMode(SecurityMode.ENCRYPTED).clientId(7).putClientNonce(Vectors.bytes(1, 16));
    }

    /** The client's AUTHENTICATE: its real offered range, the version COOKIE named, the cookie echoed. */
    private Authenticate clientAuthenticate(int min, int max, int version, byte[] cookie) {
        Authenticate authenticate = new Authenticate().encode(buffer, 128, 256, MessageType.AUTHENTICATE)
                .version(version).versions(min, max).maxDatagram(1408).securityMode(SecurityMode.ENCRYPTED)
                .clientId(7).putClientNonce(Vectors.bytes(1, 16)).putCookie(cookie);
        Handshake.sign(Vectors.PSK, authenticate);
        return authenticate;
    }

    @Test
    void anUntamperedNegotiationVerifies() {
        byte[] cookie = Handshake.cookie(SECRET, ADDRESS, 1000, helloSeenByServer(1, 2), 2);
        Authenticate authenticate = clientAuthenticate(1, 2, 2, cookie);
        Handshake.verifyCookie(SECRET, ADDRESS, 1000, authenticate);
        Handshake.verify(Vectors.PSK, authenticate);
    }

    @Test
    void aHelloWhoseRangeWasNarrowedFailsTheCookie() {
        // the client offered 1..2, the attacker forwarded 1..1, the server chose 1
        byte[] cookie = Handshake.cookie(SECRET, ADDRESS, 1000, helloSeenByServer(1, 1), 1);
        Authenticate authenticate = clientAuthenticate(1, 2, 1, cookie);
        Handshake.verify(Vectors.PSK, authenticate);
        assertThrows(AuthenticationException.class, () -> Handshake.verifyCookie(SECRET, ADDRESS, 1000, authenticate));
    }

    @Test
    void aCookieWhoseVersionWasLoweredFailsTheCookie() {
        // the server chose 2, the attacker rewrote COOKIE's version to 1
        byte[] cookie = Handshake.cookie(SECRET, ADDRESS, 1000, helloSeenByServer(1, 2), 2);
        Authenticate authenticate = clientAuthenticate(1, 2, 1, cookie);
        assertThrows(AuthenticationException.class, () -> Handshake.verifyCookie(SECRET, ADDRESS, 1000, authenticate));
    }

    @Test
    void theClientProofCoversTheOfferedRange() {
        byte[] cookie = Handshake.cookie(SECRET, ADDRESS, 1000, helloSeenByServer(1, 1), 1);
        Authenticate authenticate = clientAuthenticate(1, 2, 1, cookie);
        authenticate.versions(1, 1); // the attacker makes AUTHENTICATE match the narrowed HELLO
        Handshake.verifyCookie(SECRET, ADDRESS, 1000, authenticate);
        assertThrows(AuthenticationException.class, () -> Handshake.verify(Vectors.PSK, authenticate));
    }
}
