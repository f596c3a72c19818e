package io.coems.nvsp.client;

import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The management operations of the protocol on the server's pool: volumes, snapshots, clients
 * and the management lease. The server accepts them only from clients it knows as managers,
 * and only with the fencing token of the current lease: acquire the lease first; this client
 * keeps its token and sends it with every request until {@link #releaseLease()}.
 *
 * <p>Lists follow the server's pages until complete. Every call is one request (a list one per
 * page) with the client's request timeout. A request the server may have executed before a
 * session was lost is sent again on the new session, so after a server restart a creation may
 * report {@code EXISTS}.
 *
 * <p>Thread-safe. Arguments are checked before anything is sent; a bad one throws
 * {@link RemoteArgumentException}. A refusal throws {@link RemotePermissionException} (no
 * manager, {@code STALE_FENCING_TOKEN}, {@code LEASE_HELD}), {@link RemoteNotFoundException},
 * {@link RemoteArgumentException} ({@code EXISTS}, {@code EINVAL}) or
 * {@link RemoteNoSpaceException}.
 */
public final class ManagementClient {
    /** The longest name, in UTF-8 bytes, that fits the protocol's 16-bit length field. */
    static final int MAX_NAME_BYTES = 0xFFFF;

    private final Pipeline pipeline;
    private volatile long token;

    ManagementClient(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /**
     * Acquires the management lease; its token is kept for later requests.
     *
     * @param idle how long the lease lasts without renewal
     * @return the lease
     * @throws RemotePermissionException if another manager holds it ({@code LEASE_HELD}) or
     *     this client is no manager
     */
    public RemoteLease acquireLease(Duration idle) {
        long millis = millis(idle);
        RemoteLease lease = request(MessageType.ACQUIRE_LEASE, 0, m -> m.argument(millis),
                r -> new RemoteLease(r.resultId(), r.resultValue()));
        token = lease.token();
        return lease;
    }

    /**
     * Extends the lease this client holds.
     *
     * @param idle how long it lasts from now without renewal
     * @return the lease with its new expiry
     * @throws RemotePermissionException if the lease was lost ({@code STALE_FENCING_TOKEN})
     */
    public RemoteLease renewLease(Duration idle) {
        long millis = millis(idle);
        long held = token;
        return request(MessageType.RENEW_LEASE, held, m -> m.argument(millis), r -> new RemoteLease(held, r.resultValue()));
    }

    /**
     * Gives the lease up; the token is forgotten.
     *
     * @throws RemotePermissionException if the lease was lost already
     */
    public void releaseLease() {
        long held = token;
        request(MessageType.RELEASE_LEASE, held, m -> { }, r -> null);
        token = 0;
    }

    /**
     * Returns the fencing token this client sends.
     *
     * @return the token of the lease acquired last, 0 when none is held
     */
    public long fencingToken() {
        return token;
    }

    /**
     * Lists the volumes of the pool.
     *
     * @return every volume, in the server's order
     */
    public List<RemoteVolumeInfo> listVolumes() {
        return list(MessageType.LIST_VOLUMES, 0, (r, i) -> new RemoteVolumeInfo(r.entryId(i), r.entrySize(i),
                r.entryParent(i), Instant.ofEpochMilli(r.entryTime(i))));
    }

    /**
     * Creates a thin volume.
     *
     * @param name its name
     * @param size its size in bytes
     * @return the new volume's id
     */
    public long createVolume(String name, long size) {
        checkName(name);
        checkSize(size);
        return request(MessageType.CREATE_VOLUME, token, m -> m.argument(size).name(name),
                ManagementResponse::resultId);
    }

    /**
     * Deletes a volume.
     *
     * @param volumeId the volume
     */
    public void deleteVolume(long volumeId) {
        request(MessageType.DELETE_VOLUME, token, m -> m.volumeId(volumeId), r -> null);
    }

    /**
     * Changes a volume's size.
     *
     * @param volumeId the volume
     * @param size the new size in bytes
     */
    public void resizeVolume(long volumeId, long size) {
        checkSize(size);
        request(MessageType.RESIZE_VOLUME, token, m -> m.volumeId(volumeId).argument(size), r -> null);
    }

    /**
     * Takes a snapshot of a volume.
     *
     * @param volumeId the volume
     * @param name the snapshot's name
     * @return the new snapshot's id
     */
    public long snapshot(long volumeId, String name) {
        checkName(name);
        return request(MessageType.SNAPSHOT, token, m -> m.volumeId(volumeId).name(name), ManagementResponse::resultId);
    }

    /**
     * Lists the snapshots in a volume's history.
     *
     * @param volumeId the volume
     * @return every snapshot, in the server's order
     */
    public List<RemoteSnapshotInfo> listHistory(long volumeId) {
        return list(MessageType.LIST_HISTORY, volumeId, (r, i) -> new RemoteSnapshotInfo(r.entryId(i), r.entrySize(i),
                r.entryParent(i), Instant.ofEpochMilli(r.entryTime(i))));
    }

    /**
     * Reverts a volume to one of its snapshots.
     *
     * @param volumeId the volume
     * @param snapshotId the snapshot
     */
    public void revert(long volumeId, long snapshotId) {
        request(MessageType.REVERT, token, m -> m.volumeId(volumeId).snapshotId(snapshotId), r -> null);
    }

    /**
     * Creates a volume from a snapshot, sharing its blocks.
     *
     * @param snapshotId the snapshot
     * @param name the new volume's name
     * @return the new volume's id
     */
    public long cloneSnapshot(long snapshotId, String name) {
        checkName(name);
        return request(MessageType.CLONE, token, m -> m.snapshotId(snapshotId).name(name), ManagementResponse::resultId);
    }

    /**
     * Deletes a snapshot.
     *
     * @param snapshotId the snapshot
     */
    public void deleteSnapshot(long snapshotId) {
        request(MessageType.DELETE_SNAPSHOT, token, m -> m.snapshotId(snapshotId), r -> null);
    }

    /**
     * Registers a client with its pre-shared key.
     *
     * @param name the client's name
     * @param psk its {@value SessionKeys#PSK_LENGTH}-byte pre-shared key
     * @return the new client's id, which it connects with
     */
    public long registerClient(String name, byte[] psk) {
        checkName(name);
        if (psk == null || psk.length != SessionKeys.PSK_LENGTH) {
            throw new RemoteArgumentException("the pre-shared key must be " + SessionKeys.PSK_LENGTH + " bytes, not "
                    + (psk == null ? "null" : psk.length + " bytes"));
        }
        byte[] key = psk.clone();
        return request(MessageType.REGISTER_CLIENT, token, m -> m.name(name).putSecret(key),
                ManagementResponse::resultId);
    }

    /**
     * Lists the registered clients.
     *
     * @return every client, in the server's order
     */
    public List<RemoteClientInfo> listClients() {
        return list(MessageType.LIST_CLIENTS, 0, (r, i) -> new RemoteClientInfo(r.entryId(i), r.entryParent(i),
                Instant.ofEpochMilli(r.entryTime(i))));
    }

    /**
     * Removes a client.
     *
     * @param clientId the client
     */
    public void removeClient(long clientId) {
        request(MessageType.REMOVE_CLIENT, token, m -> m.clientId(clientId), r -> null);
    }

    /**
     * Assigns a volume to a client, which may then use it.
     *
     * @param volumeId the volume
     * @param clientId the client
     */
    public void assignVolume(long volumeId, long clientId) {
        request(MessageType.ASSIGN_VOLUME, token, m -> m.volumeId(volumeId).clientId(clientId), r -> null);
    }

    /** Reads entry {@code index} of a list page. */
    @FunctionalInterface
    private interface Entry<T> {
        T read(ManagementResponse page, int index);
    }

    private <T> List<T> list(MessageType type, long volumeId, Entry<T> entry) {
        List<T> all = new ArrayList<>();
        long cursor = 0;
        do {
            long from = cursor;
            cursor = request(type, token, m -> m.volumeId(volumeId).argument(from), page -> {
                for (int i = 0; i < page.entryCount(); i++) {
                    all.add(entry.read(page, i));
                }
                return page.resultValue();
            });
            if (cursor != 0 && Long.compareUnsigned(cursor, from) <= 0) {
                throw new RemoteException(type + ": the server's next page cursor " + Long.toUnsignedString(cursor)
                        + " does not advance past " + Long.toUnsignedString(from), null);
            }
        } while (cursor != 0);
        return all;
    }

    private <T> T request(MessageType type, long fencingToken, Consumer<ManagementRequest> fields,
            Function<ManagementResponse, T> result) {
        return pipeline.exchange((call, position, length) -> call.encodeManagement(type, fencingToken, fields),
                call -> result.apply(call.result()));
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new RemoteArgumentException("a name must not be " + (name == null ? "null" : "empty"));
        }
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_NAME_BYTES) {
            throw new RemoteArgumentException("the name \"" + name.substring(0, 20) + "...\" is " + utf8.length
                    + " bytes of UTF-8; the protocol carries at most " + MAX_NAME_BYTES);
        }
    }

    private static void checkSize(long size) {
        if (size < 0) {
            throw new RemoteArgumentException("size " + size + " is negative");
        }
    }

    private static long millis(Duration idle) {
        if (idle == null || idle.isNegative() || idle.isZero()) {
            throw new RemoteArgumentException("the lease duration must be positive, not " + idle);
        }
        try {
            return idle.toMillis();
        } catch (ArithmeticException e) {
            throw new RemoteArgumentException("the lease duration " + idle + " is too long");
        }
    }
}
