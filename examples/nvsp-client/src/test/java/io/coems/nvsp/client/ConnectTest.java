package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.Status;
import io.coems.nvsp.frame.FrameHeader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The handshake with right and wrong keys and proofs, and the first round trips. */
class ConnectTest extends FakeServerTest {

    @ParameterizedTest
    @EnumSource(SecurityMode.class)
    void connectsAndRoundTripsData(SecurityMode mode) throws Exception {
        try (NvspClient client = NvspClient.connect(server.options().securityMode(mode).build())) {
            assertNotEquals(0, client.sessionId());
            assertEquals(FrameHeader.DEFAULT_MAX_DATAGRAM, client.maxDatagram());
            RemoteVolume volume = client.volume(FakeServer.VOLUME);
            byte[] data = TestBytes.random(5000, 1);
            volume.write(12345, data, 0, data.length);
            byte[] back = new byte[data.length];
            volume.read(12345, back, 0, back.length);
            assertArrayEquals(data, back);
            assertEquals(1, server.sessionCount());
        }
        assertEquals(0, server.sessionCount(), "CLOSE ended the session on the server");
        assertEquals(1, server.events("close").size());
    }

    @Test
    void wrongKeyTimesOutWithoutSession() throws Exception {
        byte[] wrong = FakeServer.psk();
        wrong[0] ^= 1;
        ClientOptions options = ClientOptions.builder(server.address(), FakeServer.CLIENT_ID, wrong)
                .requestTimeout(Duration.ofMillis(1500)).build();
        RemoteTimeoutException failure = assertThrows(RemoteTimeoutException.class, () -> NvspClient.connect(options));
        assertTrue(failure.getMessage().contains("ACCEPT"), failure.getMessage());
        assertTrue(server.handshakeFailures() >= 1);
        assertEquals(0, server.sessionCount());
    }

    @Test
    void serverProofThatFailsIsDroppedAndTheHandshakeFails() throws Exception {
        server.badProof(true);
        ClientOptions options = server.options().requestTimeout(Duration.ofMillis(1500)).build();
        RemoteTimeoutException failure = assertThrows(RemoteTimeoutException.class, () -> NvspClient.connect(options));
        assertTrue(failure.getMessage().contains("ACCEPT"), failure.getMessage());
    }

    @Test
    void aRefusingCookieFollowedByAnAcceptingOneDoesNotEndTheHandshake() throws Exception {
        server.refusalFirst(Status.UNSUPPORTED_VERSION);
        try (NvspClient client = NvspClient.connect(server.options().build())) {
            assertNotEquals(0, client.sessionId());
        }
    }

    @Test
    void aCookieRefusingTheHandshakeAloneEndsIt() throws Exception {
        server.refusalFirst(Status.UNSUPPORTED_VERSION);
        server.dropAcceptingCookies(true);
        RemoteException failure = assertThrows(RemoteException.class, () -> NvspClient.connect(server.options().build()));
        assertEquals(Status.UNSUPPORTED_VERSION, failure.status());
    }

    @Test
    void handshakeFramesCarryUnpredictableRequestIdsAndSequences() throws Exception {
        for (int i = 0; i < 2; i++) {
            NvspClient.connect(server.options().build()).close();
        }
        List<FakeServer.Event> hellos = server.events("hello");
        assertEquals(2, hellos.size());
        assertNotEquals(hellos.get(0).requestId(), hellos.get(1).requestId());
        assertNotEquals(hellos.get(0).detail(), hellos.get(1).detail(), "sequences");
    }
}
