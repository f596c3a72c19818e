package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.message.Authenticate;
import io.coems.nvsp.message.Hello;
import io.coems.nvsp.message.MessageType;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class CookieJarTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    private long seconds = 6000;
    private final CookieJar jar = new CookieJar(new byte[32], () -> seconds);
    private final byte[] nonce = new byte[Hello.NONCE_LENGTH];

    private Hello hello() {
        return new Hello().encode(MemorySegment.ofArray(new byte[64]), 0, 64, MessageType.HELLO).versions(1, 3)
                .maxDatagram(1408).securityMode(SecurityMode.ENCRYPTED).clientId(7).putClientNonce(nonce);
    }

    private Authenticate authenticate(byte[] cookie, int min, int max) {
        return new Authenticate().encode(MemorySegment.ofArray(new byte[128]), 0, 128, MessageType.AUTHENTICATE)
                .version(1).versions(min, max).maxDatagram(1408).securityMode(SecurityMode.ENCRYPTED).clientId(7)
                .putClientNonce(nonce).putCookie(cookie);
    }

    @Test
    void aCookieVerifiesInItsWindowAndTheNextOnly() {
        byte[] cookie = jar.cookie(CLIENT, hello(), 1);
        seconds += 59;
        jar.verify(CLIENT, authenticate(cookie, 1, 3));
        seconds += 60;
        jar.verify(CLIENT, authenticate(cookie, 1, 3));
        seconds += 60;
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> jar.verify(CLIENT, authenticate(cookie, 1, 3)));
        assertEquals("cookie does not verify", e.getMessage());
    }

    @Test
    void aCookieIsBoundToTheAddressTheOfferedRangeAndTheSecret() {
        byte[] cookie = jar.cookie(CLIENT, hello(), 1);
        InetSocketAddress otherPort = new InetSocketAddress(CLIENT.getAddress(), 40001);
        assertThrows(AuthenticationException.class, () -> jar.verify(otherPort, authenticate(cookie, 1, 3)));
        assertThrows(AuthenticationException.class, () -> jar.verify(CLIENT, authenticate(cookie, 1, 1)));
        byte[] otherSecret = new byte[32];
        otherSecret[0] = 1;
        CookieJar restarted = new CookieJar(otherSecret, () -> seconds);
        assertThrows(AuthenticationException.class, () -> restarted.verify(CLIENT, authenticate(cookie, 1, 3)));
    }
}
