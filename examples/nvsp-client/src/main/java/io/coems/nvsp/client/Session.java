package io.coems.nvsp.client;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.frame.Fragmenter;

/**
 * An established session, as ACCEPT fixed it. Immutable; a new handshake makes a new one, so
 * a sealer made for one session is never used for another.
 *
 * @param id the session id, never 0
 * @param keys the session's keys, with the one sending sequence and replay window per direction
 * @param mode the negotiated protection
 * @param maxDatagram the negotiated maximum datagram size
 * @param keepAliveNanos how long the client may stay silent, 0 for no keep-alive
 * @param credits the credits ACCEPT granted
 * @param fragmenter splits messages into datagrams of this session's size
 */
record Session(long id, SessionKeys keys, SecurityMode mode, int maxDatagram, long keepAliveNanos,
        long credits, Fragmenter fragmenter) {
}
