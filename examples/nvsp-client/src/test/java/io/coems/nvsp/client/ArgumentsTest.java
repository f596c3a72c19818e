package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.frame.FrameHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments fail with {@link RemoteArgumentException} naming the value, and send nothing. */
class ArgumentsTest {
    private static FakeServer server;
    private static NvspClient client;
    private static RemoteVolume volume;

    @BeforeAll
    static void start() throws Exception {
        server = new FakeServer(FakeServer.psk());
        client = NvspClient.connect(server.options().build());
        volume = client.volume(FakeServer.VOLUME);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static void refused(String mentioned, Executable call) {
        int before = server.datagramsReceived();
        RemoteArgumentException failure = assertThrows(RemoteArgumentException.class, call);
        assertTrue(failure.getMessage().contains(mentioned), failure.getMessage());
        assertNull(failure.status(), "found by the client");
        assertEquals(before, server.datagramsReceived(), "nothing sent");
    }

    @Test
    void volumeArgumentsAreCheckedBeforeSending() {
        refused("offset -1", () -> volume.read(-1, new byte[4], 0, 4));
        refused("length -4", () -> volume.trim(0, -4));
        refused("overflows", () -> volume.writeZeroes(Long.MAX_VALUE, 2, false));
        refused("dst must not be null", () -> volume.read(0, (byte[]) null, 0, 1));
        refused("dst must not be null", () -> volume.read(0, (MemorySegment) null));
        refused("src must not be null", () -> volume.write(0, (MemorySegment) null));
        refused("src must not be null", () -> volume.writeFua(0, null));
        refused("[3, +2) is outside an array of 4 bytes", () -> volume.write(0, new byte[4], 3, 2));
        refused("[-1, +2)", () -> volume.read(0, new byte[4], -1, 2));
        refused("offset -5", () -> volume.blockStatus(-5, 10));
        try (Arena arena = Arena.ofConfined()) {
            refused("read-only", () -> volume.read(0, arena.allocate(8).asReadOnly()));
        }
    }

    @Test
    void managementArgumentsAreCheckedBeforeSending() {
        ManagementClient management = client.management();
        refused("must not be null", () -> management.createVolume(null, 10));
        refused("must not be empty", () -> management.snapshot(1, ""));
        refused("size -1", () -> management.createVolume("v", -1));
        refused("size -2", () -> management.resizeVolume(1, -2));
        refused("32 bytes, not 31 bytes", () -> management.registerClient("c", new byte[31]));
        refused("32 bytes, not null", () -> management.registerClient("c", null));
        refused("lease duration must be positive", () -> management.acquireLease(Duration.ZERO));
        refused("lease duration must be positive", () -> management.renewLease(null));
        refused("at most 65535", () -> management.cloneSnapshot(1, "x".repeat(70_000)));
    }

    @Test
    void optionsAreChecked() throws Exception {
        InetSocketAddress address = server.address();
        byte[] psk = FakeServer.psk();
        refused("must be 32 bytes, not 16 bytes", () -> ClientOptions.builder(address, 1, new byte[16]));
        refused("must be 32 bytes, not null", () -> ClientOptions.builder(address, 1, null));
        refused("null is not a resolved address", () -> ClientOptions.builder(null, 1, psk));
        refused("is not a resolved address",
                () -> ClientOptions.builder(InetSocketAddress.createUnresolved("nowhere.invalid", 1), 1, psk));
        ClientOptions.Builder builder = ClientOptions.builder(address, 1, psk);
        refused("maxDatagram 575 is outside 576..65507", () -> builder.maxDatagram(575));
        refused("maxDatagram 65508", () -> builder.maxDatagram(65508));
        refused("security mode must not be null", () -> builder.securityMode(null));
        refused("request timeout PT0S", () -> builder.requestTimeout(Duration.ZERO));
        refused("request timeout PT-1S", () -> builder.requestTimeout(Duration.ofSeconds(-1)));
        refused("maxInFlight 0 is outside 1..1024", () -> builder.maxInFlight(0));
        refused("options must not be null", () -> NvspClient.connect(null));
        ClientOptions defaults = builder.build();
        assertEquals(FrameHeader.DEFAULT_MAX_DATAGRAM, defaults.maxDatagram());
        assertEquals(Duration.ofSeconds(30), defaults.requestTimeout());
        psk[0] = 99;
        assertEquals(0, defaults.psk()[0], "the key was copied");
    }
}
