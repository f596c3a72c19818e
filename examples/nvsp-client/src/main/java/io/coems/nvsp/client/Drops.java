package io.coems.nvsp.client;

import io.coems.nvsp.AuthenticationException;
import io.coems.nvsp.ChecksumMismatchException;
import io.coems.nvsp.NvspException;
import io.coems.nvsp.ReplayException;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Counts the datagrams the client drops and logs them: every drop at debug, the first of each
 * cause in a session at warn. Thread-safe.
 */
final class Drops {
    /** Why a datagram was dropped. */
    enum Cause {
        /** Its tag or the handshake proof did not verify, or it was not protected as negotiated. */
        FORGED("a datagram that failed authentication"),
        /** Its sequence was seen before or is older than the replay window. */
        REPLAYED("a replayed datagram"),
        /** It does not follow the wire format. */
        MALFORMED("a malformed datagram"),
        /** It is valid but nothing expects it (another session, a stray handshake message). */
        UNEXPECTED("an unexpected datagram"),
        /** Read data that does not match its CRC-32C; the request is sent again. */
        CHECKSUM("read data failing its checksum"),
        /** A response fragment found no free reassembly slot. */
        NO_SLOT("a response fragment without a free reassembly slot"),
        /** The socket refused to send a datagram; like a loss, retransmission recovers. */
        UNSENT("a datagram the socket refused to send");

        private final String description;

        Cause(String description) {
            this.description = description;
        }
    }

    private final Logger log;
    private final Counters counters;
    private final String peer;
    private final Set<Cause> warned = EnumSet.noneOf(Cause.class);

    /**
     * Creates the drop counter of a client.
     *
     * @param log the client's logger
     * @param counters where {@code dropped} and its causes are counted
     * @param peer the server, for messages
     */
    Drops(Logger log, Counters counters, String peer) {
        this.log = log;
        this.counters = counters;
        this.peer = peer;
    }

    /**
     * Counts and logs a drop.
     *
     * @param cause why
     * @param detail what, for the log
     */
    void drop(Cause cause, String detail) {
        counters.dropped.increment();
        switch (cause) {
            case FORGED -> counters.forged.increment();
            case REPLAYED -> counters.replayed.increment();
            case MALFORMED -> counters.malformed.increment();
            default -> { }
        }
        boolean first;
        synchronized (warned) {
            first = warned.add(cause);
        }
        if (first) {
            log.warn("dropped {} ({}): {} (further ones this session are logged at debug)",
                    cause.description, peer, detail);
        } else {
            log.debug("dropped {} ({}): {}", cause.description, peer, detail);
        }
    }

    /**
     * Counts and logs a datagram the codec rejected.
     *
     * @param rejection the codec's exception
     */
    void drop(NvspException rejection) {
        drop(causeOf(rejection), rejection.getMessage());
    }

    /** Starts a new session: the first drop of each cause is logged at warn again. */
    void newSession() {
        synchronized (warned) {
            warned.clear();
        }
    }

    private static Cause causeOf(NvspException rejection) {
        if (rejection instanceof AuthenticationException) {
            return Cause.FORGED;
        }
        if (rejection instanceof ReplayException) {
            return Cause.REPLAYED;
        }
        if (rejection instanceof ChecksumMismatchException) {
            return Cause.CHECKSUM;
        }
        return Cause.MALFORMED;
    }
}
