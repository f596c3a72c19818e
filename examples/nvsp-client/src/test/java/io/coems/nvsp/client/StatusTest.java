package io.coems.nvsp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.Status;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every status a server answers with arrives as the exception a caller can act on. */
class StatusTest {
    private static FakeServer server;
    private static NvspClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new FakeServer(FakeServer.psk());
        server.blockStatus(r -> r.volumeId() >= 1000 ? statusFor(r.volumeId()) : null);
        client = NvspClient.connect(server.options().build());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    /** Volume 1000 + i is answered with status i of {@link #statuses()}. */
    private static Status statusFor(long volumeId) {
        return (Status) statuses().toList().get((int) (volumeId - 1000)).get()[0];
    }

    static Stream<Arguments> statuses() {
        return Stream.of(
                Arguments.of(Status.EPERM, RemotePermissionException.class),
                Arguments.of(Status.STALE_FENCING_TOKEN, RemotePermissionException.class),
                Arguments.of(Status.LEASE_HELD, RemotePermissionException.class),
                Arguments.of(Status.NO_SUCH_VOLUME, RemoteNotFoundException.class),
                Arguments.of(Status.NO_SUCH_SNAPSHOT, RemoteNotFoundException.class),
                Arguments.of(Status.NO_SUCH_CLIENT, RemoteNotFoundException.class),
                Arguments.of(Status.ENOSPC, RemoteNoSpaceException.class),
                Arguments.of(Status.EINVAL, RemoteArgumentException.class),
                Arguments.of(Status.EOVERFLOW, RemoteArgumentException.class),
                Arguments.of(Status.EXISTS, RemoteArgumentException.class),
                Arguments.of(Status.EIO, RemoteIoException.class),
                Arguments.of(Status.STALE_REQUEST, RemoteException.class),
                Arguments.of(Status.ENOTSUP, RemoteException.class),
                Arguments.of(Status.ENOMEM, RemoteException.class));
    }

    @ParameterizedTest
    @MethodSource("statuses")
    void readsAndWritesThrowTheTypedException(Status status, Class<? extends RemoteException> type) {
        long volumeId = 1000 + statuses().map(a -> a.get()[0]).toList().indexOf(status);
        RemoteVolume volume = client.volume(volumeId);
        RemoteException read = assertThrows(RemoteException.class, () -> volume.read(4096, new byte[512], 0, 512));
        assertEquals(type, read.getClass());
        assertEquals(status, read.status());
        assertTrue(read.getMessage().contains("READ of 512 bytes at 4096 of volume " + volumeId), read.getMessage());
        assertTrue(read.getMessage().contains(status.name()), read.getMessage());
        RemoteException write = assertThrows(RemoteException.class, () -> volume.write(0, new byte[70_000], 0, 70_000));
        assertEquals(type, write.getClass());
        assertEquals(status, write.status());
    }

    @Test
    void beyondTheEndIsAnArgumentError() {
        RemoteArgumentException failure = assertThrows(RemoteArgumentException.class,
                () -> client.volume(FakeServer.VOLUME).read(FakeServer.VOLUME_SIZE - 10, new byte[20], 0, 20));
        assertEquals(Status.EOVERFLOW, failure.status());
    }
}
