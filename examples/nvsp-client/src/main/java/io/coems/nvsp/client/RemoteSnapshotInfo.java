package io.coems.nvsp.client;

import java.time.Instant;

/**
 * A snapshot in a volume's history, as LIST_HISTORY reports it.
 *
 * @param id the snapshot id
 * @param size the volume's size when the snapshot was taken, in bytes
 * @param parent the parent snapshot, 0 if none
 * @param created when it was taken
 */
public record RemoteSnapshotInfo(long id, long size, long parent, Instant created) {
}
