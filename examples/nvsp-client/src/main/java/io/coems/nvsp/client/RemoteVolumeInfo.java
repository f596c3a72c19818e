package io.coems.nvsp.client;

import java.time.Instant;

/**
 * A volume of the server's pool, as LIST_VOLUMES reports it.
 *
 * @param id the volume id
 * @param size its size in bytes
 * @param originSnapshot the snapshot it was cloned from, 0 if none
 * @param created when it was created
 */
public record RemoteVolumeInfo(long id, long size, long originSnapshot, Instant created) {
}
