/**
 * The Network Volume Service Protocol codec: flyweight encoders and decoders for the NVSP
 * frame header and messages, fragmentation and reassembly, and the session crypto (handshake
 * proofs, HKDF key derivation, AES-256-GCM sealing, replay window). Depends on the JDK only.
 *
 * <p>{@code io.coems.nvsp} holds the exceptions, statuses and the flyweight base;
 * {@code io.coems.nvsp.frame} the transport frame; {@code io.coems.nvsp.message} the message
 * bodies; {@code io.coems.nvsp.crypto} the protection of datagrams.
 */
module io.coems.nvsp {
    exports io.coems.nvsp;
    exports io.coems.nvsp.frame;
    exports io.coems.nvsp.message;
    exports io.coems.nvsp.crypto;
}
