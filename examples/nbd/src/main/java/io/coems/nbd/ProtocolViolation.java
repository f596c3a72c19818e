package io.coems.nbd;

import java.io.IOException;

/** A client broke the protocol so that the stream cannot be followed: the connection ends. */
final class ProtocolViolation extends IOException {
    ProtocolViolation(String message) {
        super(message);
    }
}
