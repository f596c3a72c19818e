package io.coems.nvsp;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer): any datagram goes through the whole receive path
 * (frame header, opener, reassembler, every message decoder) and may only be rejected with an
 * {@link NvspException}. A plain test run replays the inputs in
 * {@code src/test/resources/io/coems/nvsp/DatagramFuzzTestInputs/}; with the environment
 * variable {@code JAZZER_FUZZ=1} it fuzzes for the bounded duration.
 */
class DatagramFuzzTest {
    private final Receiver receiver = new Receiver();

    @FuzzTest(maxDuration = "20s")
    void anyDatagramIsDecodedOrRejectedByTheCodec(byte[] datagram) {
        try {
            receiver.receive(datagram, datagram.length > 1 ? Receiver.sessionMode(datagram) : null);
        } catch (NvspException rejected) {
            // the codec's own rejection: what hostile input may cause
        }
    }
}
