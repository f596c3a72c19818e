package io.coems.nvsp.server;

import io.coems.nvsp.Status;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageType;
import io.coems.vvm.Client;
import io.coems.vvm.Lease;
import io.coems.vvm.PoolArgumentException;
import io.coems.vvm.PoolException;
import io.coems.vvm.PoolLeaseException;
import io.coems.vvm.PoolNotFoundException;
import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Executes management requests (spec 5.12, 8) against the pool. Only sessions of clients that
 * hold the {@link ClientKeys#MANAGER} role when the request runs may send them (others get
 * EPERM); every request but
 * ACQUIRE_LEASE must carry the fencing token of the lease in force (else STALE_FENCING_TOKEN),
 * and changes run inside {@link VolumePool#withLease} with it, so a manager that lost its lease
 * changes nothing. Names already taken answer EXISTS; unknown ids NO_SUCH_VOLUME,
 * NO_SUCH_SNAPSHOT or NO_SUCH_CLIENT. Lists are paged by cursor (the last id of the previous
 * page), as many entries as fit one datagram. Stateless: one per worker thread.
 */
final class ManagementHandler {
    private final VolumePool pool;

    /**
     * Creates a handler.
     *
     * @param pool the pool managed
     */
    ManagementHandler(VolumePool pool) {
        this.pool = pool;
    }

    /**
     * Executes a request and fills in the response's result and entries (not its status).
     *
     * @param session the session it came from
     * @param request the request, wrapped
     * @param response the response, encoded with its type
     * @param pageEntries how many list entries fit the response
     * @return the status to answer with
     */
    Status execute(Session session, ManagementRequest request, ManagementResponse response, int pageEntries) {
        MessageType type = request.type();
        if (!isManager(session.client.id())) {
            session.dropped(Drop.REFUSED, type + " from a client without the " + ClientKeys.MANAGER + " role");
            return Status.EPERM;
        }
        try {
            if (type == MessageType.ACQUIRE_LEASE) {
                return acquire(session, request.argument(), response);
            }
            long token = request.fencingToken();
            Optional<Lease> lease = pool.lease();
            if (lease.isEmpty() || lease.get().token() != token) {
                session.dropped(Drop.REFUSED, type + " with fencing token " + token + ", not the token of the lease in force");
                return Status.STALE_FENCING_TOKEN;
            }
            return switch (type) {
                case RENEW_LEASE -> {
                    Duration duration = Duration.ofMillis(request.argument());
                    pool.renewLease(token, duration);
                    response.resultValue(expiry(duration));
                    yield Status.OK;
                }
                case RELEASE_LEASE -> {
                    pool.releaseLease(token);
                    yield Status.OK;
                }
                case LIST_VOLUMES -> listVolumes(request.argument(), response, pageEntries);
                case LIST_HISTORY -> listHistory(request.volumeId(), request.argument(), response, pageEntries);
                case LIST_CLIENTS -> listClients(request.argument(), response, pageEntries);
                default -> pool.withLease(token, () -> change(type, request, response));
            };
        } catch (PoolLeaseException e) {
            return Status.STALE_FENCING_TOKEN;
        } catch (PoolNotFoundException e) {
            return missing(type, request);
        } catch (PoolArgumentException e) {
            return nameTaken(type, request) ? Status.EXISTS : Status.EINVAL;
        } catch (PoolException e) {
            return RequestExecutor.status(e);
        }
    }

    /**
     * What a request found missing when the pool said "not found" (something was deleted
     * meanwhile): the first of the ids it names that no longer exists.
     */
    private Status missing(MessageType type, ManagementRequest request) {
        boolean namesVolume = switch (type) {
            case DELETE_VOLUME, RESIZE_VOLUME, SNAPSHOT, LIST_HISTORY, REVERT, ASSIGN_VOLUME -> true;
            default -> false;
        };
        boolean namesSnapshot = type == MessageType.REVERT || type == MessageType.CLONE
                || type == MessageType.DELETE_SNAPSHOT;
        boolean namesClient = type == MessageType.ASSIGN_VOLUME || type == MessageType.REMOVE_CLIENT;
        if (namesVolume && volume(request.volumeId()) == null) {
            return Status.NO_SUCH_VOLUME;
        }
        if (namesSnapshot && snapshot(request.snapshotId()) == null) {
            return Status.NO_SUCH_SNAPSHOT;
        }
        if (namesClient && client(request.clientId()) == null) {
            return Status.NO_SUCH_CLIENT;
        }
        return namesSnapshot ? Status.NO_SUCH_SNAPSHOT : namesClient ? Status.NO_SUCH_CLIENT : Status.NO_SUCH_VOLUME;
    }

    /** Whether the pool refused a request's argument because its name was taken meanwhile. */
    private boolean nameTaken(MessageType type, ManagementRequest request) {
        return switch (type) {
            case CREATE_VOLUME, CLONE -> pool.findVolume(request.name()).isPresent();
            case SNAPSHOT -> {
                Volume volume = volume(request.volumeId());
                yield volume != null && volume.findSnapshot(request.name()).isPresent();
            }
            case REGISTER_CLIENT -> pool.clients().findByName(request.name()).isPresent();
            default -> false;
        };
    }

    /**
     * Whether the client holds the manager role now: read at every request, so revoking the role
     * (or removing the client) takes effect on its open sessions at once.
     */
    private boolean isManager(long clientId) {
        Client client = client(clientId);
        return client != null && ClientKeys.isManager(client);
    }

    private Status acquire(Session session, long millis, ManagementResponse response) {
        if (pool.lease().isPresent()) {
            return Status.LEASE_HELD;
        }
        Duration duration = Duration.ofMillis(millis);
        Lease lease;
        try {
            lease = pool.acquireLease("nvsp " + session.client.name(), duration);
        } catch (PoolLeaseException e) {
            return Status.LEASE_HELD;
        }
        response.resultId(lease.token()).resultValue(expiry(duration));
        return Status.OK;
    }

    /** A configuration change, under the lease. */
    private Status change(MessageType type, ManagementRequest request, ManagementResponse response) {
        return switch (type) {
            case CREATE_VOLUME -> {
                String name = request.name();
                if (pool.findVolume(name).isPresent()) {
                    yield Status.EXISTS;
                }
                response.resultId(pool.createVolume(name, request.argument()).id());
                yield Status.OK;
            }
            case DELETE_VOLUME -> onVolume(request, volume -> volume.delete());
            case RESIZE_VOLUME -> onVolume(request, volume -> volume.resize(request.argument(), false));
            case SNAPSHOT -> {
                Volume volume = volume(request.volumeId());
                String name = request.name();
                if (volume == null) {
                    yield Status.NO_SUCH_VOLUME;
                }
                if (volume.findSnapshot(name).isPresent()) {
                    yield Status.EXISTS;
                }
                response.resultId(volume.snapshot(name).id());
                yield Status.OK;
            }
            case REVERT -> {
                Volume volume = volume(request.volumeId());
                Snapshot snapshot = snapshot(request.snapshotId());
                if (volume == null || snapshot == null) {
                    yield volume == null ? Status.NO_SUCH_VOLUME : Status.NO_SUCH_SNAPSHOT;
                }
                volume.revertTo(snapshot);
                yield Status.OK;
            }
            case CLONE -> {
                Snapshot snapshot = snapshot(request.snapshotId());
                String name = request.name();
                if (snapshot == null) {
                    yield Status.NO_SUCH_SNAPSHOT;
                }
                if (pool.findVolume(name).isPresent()) {
                    yield Status.EXISTS;
                }
                response.resultId(pool.clone(snapshot, name).id());
                yield Status.OK;
            }
            case DELETE_SNAPSHOT -> {
                Snapshot snapshot = snapshot(request.snapshotId());
                if (snapshot == null) {
                    yield Status.NO_SUCH_SNAPSHOT;
                }
                snapshot.delete();
                yield Status.OK;
            }
            case REGISTER_CLIENT -> {
                String name = request.name();
                if (pool.clients().findByName(name).isPresent()) {
                    yield Status.EXISTS;
                }
                Client client = pool.clients().register(name, "", "", Map.of(),
                        ClientKeys.attributes(request.secret(), false));
                response.resultId(client.id());
                yield Status.OK;
            }
            case REMOVE_CLIENT -> {
                if (client(request.clientId()) == null) {
                    yield Status.NO_SUCH_CLIENT;
                }
                pool.clients().remove(request.clientId());
                yield Status.OK;
            }
            case ASSIGN_VOLUME -> {
                Volume volume = volume(request.volumeId());
                if (volume == null || client(request.clientId()) == null) {
                    yield volume == null ? Status.NO_SUCH_VOLUME : Status.NO_SUCH_CLIENT;
                }
                pool.clients().assign(volume, request.clientId());
                yield Status.OK;
            }
            default -> Status.ENOTSUP;
        };
    }

    private Status onVolume(ManagementRequest request, java.util.function.Consumer<Volume> operation) {
        Volume volume = volume(request.volumeId());
        if (volume == null) {
            return Status.NO_SUCH_VOLUME;
        }
        operation.accept(volume);
        return Status.OK;
    }

    private Status listVolumes(long cursor, ManagementResponse response, int pageEntries) {
        List<Volume> volumes = pool.volumes().stream().filter(v -> Long.compareUnsigned(v.id(), cursor) > 0)
                .sorted(Comparator.comparingLong(Volume::id)).toList();
        int added = 0;
        int examined = 0;
        for (; examined < volumes.size() && added < pageEntries; examined++) {
            Volume volume = volumes.get(examined);
            try {
                response.addEntry(volume.id(), volume.size(), volume.origin().map(Snapshot::id).orElse(0L),
                        volume.created().toEpochMilli());
                added++;
            } catch (PoolNotFoundException deletedMeanwhile) {
                // listed as it was when the page was made: a deleted volume is left out
            }
        }
        response.resultValue(examined < volumes.size() ? volumes.get(examined - 1).id() : 0);
        return Status.OK;
    }

    private Status listHistory(long volumeId, long cursor, ManagementResponse response, int pageEntries) {
        Volume volume = volume(volumeId);
        if (volume == null) {
            return Status.NO_SUCH_VOLUME;
        }
        List<Snapshot> snapshots = volume.history().stream().filter(s -> Long.compareUnsigned(s.id(), cursor) > 0)
                .sorted(Comparator.comparingLong(Snapshot::id)).toList();
        int added = Math.min(pageEntries, snapshots.size());
        for (Snapshot snapshot : snapshots.subList(0, added)) {
            response.addEntry(snapshot.id(), snapshot.size(), snapshot.parentId(), snapshot.created().toEpochMilli());
        }
        response.resultValue(nextCursor(snapshots.size(), added, response));
        return Status.OK;
    }

    private Status listClients(long cursor, ManagementResponse response, int pageEntries) {
        Map<Long, Long> volumeOf = new HashMap<>();
        for (Volume volume : pool.volumes()) {
            volume.client().ifPresent(client -> volumeOf.merge(client, volume.id(), Math::min));
        }
        List<Client> clients = pool.clients().clients().stream().filter(c -> Long.compareUnsigned(c.id(), cursor) > 0)
                .sorted(Comparator.comparingLong(Client::id)).toList();
        int added = Math.min(pageEntries, clients.size());
        for (Client client : clients.subList(0, added)) {
            response.addEntry(client.id(), 0, volumeOf.getOrDefault(client.id(), 0L), registered(client));
        }
        response.resultValue(nextCursor(clients.size(), added, response));
        return Status.OK;
    }

    /** The cursor of the next page: the last id listed if entries remain, else 0. */
    private static long nextCursor(int candidates, int added, ManagementResponse response) {
        return added < candidates && added > 0 ? response.entryId(added - 1) : 0;
    }

    private static long registered(Client client) {
        try {
            return Long.parseLong(client.attributes().getOrDefault(ClientKeys.REGISTERED, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Volume volume(long id) {
        try {
            return pool.volume(id);
        } catch (PoolNotFoundException e) {
            return null;
        }
    }

    private Snapshot snapshot(long id) {
        try {
            return pool.snapshot(id);
        } catch (PoolNotFoundException e) {
            return null;
        }
    }

    private Client client(long id) {
        try {
            return pool.clients().client(id);
        } catch (PoolNotFoundException e) {
            return null;
        }
    }

    /** Now plus {@code duration} in epoch milliseconds, saturated. */
    private static long expiry(Duration duration) {
        long now = System.currentTimeMillis();
        long millis = duration.toMillis();
        return millis > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + millis;
    }
}
