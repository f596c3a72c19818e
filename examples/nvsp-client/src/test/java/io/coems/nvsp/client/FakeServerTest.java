package io.coems.nvsp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test with a fresh {@link FakeServer} per test method. */
abstract class FakeServerTest {
    /** The server of the running test. */
    FakeServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new FakeServer(FakeServer.psk());
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }
}
