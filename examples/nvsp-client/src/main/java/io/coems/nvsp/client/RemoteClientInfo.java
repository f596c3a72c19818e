package io.coems.nvsp.client;

import java.time.Instant;

/**
 * A client registered with the server's pool, as LIST_CLIENTS reports it.
 *
 * @param id the client id
 * @param assignedVolume the volume assigned to it, 0 if none
 * @param registered when it was registered
 */
public record RemoteClientInfo(long id, long assignedVolume, Instant registered) {
}
