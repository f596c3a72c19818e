package io.coems.nvsp.client;

import io.coems.nvsp.Status;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.ManagementRequest;
import io.coems.nvsp.message.ManagementResponse;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.ReadResponse;
import io.coems.nvsp.message.WriteRequest;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One request and its response: a pooled slot holding the encoded request (kept for
 * retransmissions and NACKed fragments), the response once complete, the flyweights to encode
 * and decode them, and the retransmission state.
 *
 * <p>Life cycle: {@code FREE} in the {@link CallPool}; {@code RESERVED} by the application
 * thread that acquired it (its owner), which encodes the request and publishes it;
 * {@code ACTIVE} while in flight; {@code DONE} when answered or failed; {@code FREE} again when
 * released. A reserved or active call holds one credit; a call carrying a part of a
 * {@link Transfer} keeps it until the transfer has settled the call.
 *
 * <p>Threading: the owner encodes and decodes (or the transfer's settling thread, under the
 * monitor); the receive thread retransmits, completes and fails. Everything both touch (state,
 * timers, outcome) is guarded by the call's monitor, held also while a thread sends the
 * request's datagrams, so the request buffer never changes while it is being sent and a
 * retransmission never outlives the request it belongs to.
 */
final class Call {
    /** The most data one READ or WRITE carries: larger transfers are split and pipelined. */
    static final int MAX_DATA = 64 * 1024;
    /** The largest message sent or received: a 64 KiB WRITE or READ_RESPONSE with room to spare. */
    static final int MAX_MESSAGE = MAX_DATA + 1024;

    private enum State { FREE, RESERVED, ACTIVE, DONE }

    /** The encoded request, from offset 0. */
    final MemorySegment request = MemorySegment.ofArray(new byte[MAX_MESSAGE]);
    /** The sender the owner sends the request with. */
    final Sender sender;
    private final CallPool pool;
    private final BlockRequest block = new BlockRequest();
    private final WriteRequest write = new WriteRequest();
    private final ManagementRequest management = new ManagementRequest();
    private final MemorySegment response = MemorySegment.ofArray(new byte[MAX_MESSAGE]);
    /** Where the response is read from: {@link #response}, or the receive buffer while a transfer settles it. */
    private MemorySegment answer = response;
    private long answerOffset;
    private final ReadResponse readResponse = new ReadResponse();
    private final BlockStatusResponse extents = new BlockStatusResponse();
    private final ManagementResponse result = new ManagementResponse();

    private volatile State state = State.FREE;
    private boolean holdsCredit;
    private volatile long requestId;
    private MessageType type;
    private int requestLength;
    private Status status;
    private int responseLength;
    private RemoteException failure;

    /** The pipelined transfer the call carries a part of, or null (set by the owner while reserved). */
    Transfer transfer;
    /** The part's offset in the transfer (set by the owner under the transfer's monitor before it issues the call). */
    long chunkPosition;
    /** The length of that part. */
    int chunkLength;
    /** When the transfer gives up on that part. */
    long chunkDeadline;

    /** When the request was last sent in full (receive thread, under the monitor). */
    long sentNanos;
    /** When to send it again unless answered. */
    long resendNanos;
    /** The timeout of the current attempt; doubled per retry. */
    long timeoutNanos;
    /** How often the request was sent in full. */
    int transmissions;
    /** Whether a round-trip sample would be ambiguous (Karn): resent, NACKed, or NO_CREDIT. */
    boolean retransmitted;
    /** Whether part of a fragmented response has arrived. */
    boolean partial;
    /** When to NACK the missing fragments of a partial response. */
    long nackNanos;
    /** Whether the request was sent again under a new id after STALE_REQUEST (at most once). */
    boolean renumbered;

    Call(CallPool pool, Sender sender) {
        this.pool = pool;
        this.sender = sender;
    }

    /**
     * Takes the call out of the pool for an owner; the pool counted its credit. Runs under the
     * pool's lock, so it takes no monitor; the owner publishes these writes when it activates.
     */
    void reserve() {
        state = State.RESERVED;
        holdsCredit = true;
        transfer = null;
        requestId = 0;
        failure = null;
        status = null;
        partial = false;
        retransmitted = false;
        renumbered = false;
        transmissions = 0;
    }

    /**
     * Encodes a READ, FLUSH, TRIM, WRITE_ZEROES or BLOCK_STATUS request.
     *
     * @param requestType the type
     * @param volumeId the volume
     * @param offset the first byte of the range
     * @param length the length of the range, unsigned 32 bits
     * @param flags the request's flags
     */
    void encodeBlock(MessageType requestType, long volumeId, long offset, long length, long flags) {
        encoded(requestType, block.encode(request, 0, MAX_MESSAGE, requestType).volumeId(volumeId)
                .volumeOffset(offset).length(length).flags(flags).encodedLength());
    }

    /**
     * Encodes a WRITE request, copying its data.
     *
     * @param volumeId the volume
     * @param offset where the data goes in the volume
     * @param src the data's memory
     * @param srcOffset where the data starts in it
     * @param length the data's length, at most {@link #MAX_DATA}
     * @param flags {@code FLAG_FUA} or 0
     */
    void encodeWrite(long volumeId, long offset, MemorySegment src, long srcOffset, int length, long flags) {
        write.encode(request, 0, MAX_MESSAGE, MessageType.WRITE).volumeId(volumeId).volumeOffset(offset).flags(flags)
                .data().put(src, srcOffset, length);
        encoded(MessageType.WRITE, write.encodedLength());
    }

    /**
     * Encodes a management request.
     *
     * @param requestType the type
     * @param fencingToken the lease's token, 0 for ACQUIRE_LEASE
     * @param fields sets the fields the type uses
     */
    void encodeManagement(MessageType requestType, long fencingToken, Consumer<ManagementRequest> fields) {
        management.encode(request, 0, MAX_MESSAGE, requestType).fencingToken(fencingToken);
        fields.accept(management);
        encoded(requestType, management.encodedLength());
    }

    private void encoded(MessageType requestType, int length) {
        this.type = requestType;
        this.requestLength = length;
    }

    /**
     * Sets the request id the call will be sent under; runs under the pool's lock, which then
     * counts the call as in flight for the request id window.
     *
     * @param id the request id
     */
    void number(long id) {
        requestId = id;
    }

    /**
     * Returns the request id while the call holds one and is not done; without any lock only a
     * hint, read by the pool under its lock.
     *
     * @return the id, or 0 when the call is free, done or not numbered yet
     */
    long idInFlight() {
        State now = state;
        return now == State.RESERVED || now == State.ACTIVE ? requestId : 0;
    }

    /**
     * Makes the call active under its request id: from now on the receive thread matches
     * responses to it and retransmits it. The caller holds the monitor and sends the first copy.
     *
     * @param nowNanos the current time
     * @param timeout the first retransmission timeout
     */
    void activate(long nowNanos, long timeout) {
        state = State.ACTIVE;
        sentNanos = nowNanos;
        timeoutNanos = timeout;
        resendNanos = nowNanos + timeout;
    }

    /**
     * Tells whether the call waits for the response to a request id; without the monitor only
     * a hint, to be checked again under it.
     *
     * @param id the request id a response carries
     * @return true when active under that id
     */
    boolean awaits(long id) {
        return state == State.ACTIVE && requestId == id;
    }

    /**
     * Tells whether the call is in flight; without the monitor only a hint.
     *
     * @return true when active
     */
    boolean isActive() {
        return state == State.ACTIVE;
    }

    /**
     * Completes the call with the response. The caller holds the monitor and checked
     * {@link #awaits}. A transfer that settles the call on this thread reads the response where
     * it was received, before this returns; otherwise it is copied for the owner.
     *
     * @param outcome the response's status
     * @param message the memory holding the response
     * @param offset where it starts
     * @param length its length
     */
    void complete(Status outcome, MemorySegment message, long offset, int length) {
        if (transfer != null && transfer.settlesHere()) {
            answer = message;
            answerOffset = offset;
        } else {
            MemorySegment.copy(message, offset, response, 0, length);
            answer = response;
            answerOffset = 0;
        }
        responseLength = length;
        status = outcome;
        finish();
    }

    /**
     * Fails the call if it is still in flight.
     *
     * @param reason what the owner throws
     * @return true when the call was in flight
     */
    synchronized boolean fail(RemoteException reason) {
        if (state != State.ACTIVE) {
            return false;
        }
        failure = reason;
        finish();
        return true;
    }

    /**
     * Waits until the call is answered or failed.
     *
     * @param deadlineNanos when to give up, as {@link System#nanoTime()}
     * @return false when the deadline passed first
     * @throws InterruptedException if the owner is interrupted
     */
    synchronized boolean await(long deadlineNanos) throws InterruptedException {
        while (state == State.ACTIVE) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Returns the call to the pool: an abandoned request in flight is forgotten. */
    synchronized void free() {
        if (holdsCredit) {
            holdsCredit = false;
            pool.creditReturned();
        }
        state = State.FREE;
    }

    /** Ends the call; a transfer's call keeps its credit until the transfer settles it. */
    private void finish() {
        state = State.DONE;
        if (transfer != null) {
            transfer.ended(this);
        } else if (holdsCredit) {
            holdsCredit = false;
            pool.creditReturned();
        }
        notifyAll();
    }

    /**
     * Returns the failure of a done call.
     *
     * @return the exception the receive thread or the client's close set, or null
     */
    synchronized RemoteException failure() {
        return failure;
    }

    /**
     * Returns the status of a done call's response.
     *
     * @return the status, or null when the call failed without one
     */
    synchronized Status status() {
        return status;
    }

    /**
     * Returns how often the request was sent in full.
     *
     * @return the count
     */
    synchronized int sendCount() {
        return transmissions;
    }

    /**
     * Returns the request id.
     *
     * @return the id it was last activated with
     */
    long requestId() {
        return requestId;
    }

    /**
     * Returns the request's type.
     *
     * @return the type encoded
     */
    MessageType type() {
        return type;
    }

    /**
     * Returns the encoded request's length.
     *
     * @return bytes from offset 0 of {@link #request}
     */
    int requestLength() {
        return requestLength;
    }

    /**
     * Decodes the response of a done READ.
     *
     * @return the flyweight over the response
     */
    ReadResponse readResponse() {
        return readResponse.wrap(answer, answerOffset, responseLength);
    }

    /**
     * Decodes the response of a done BLOCK_STATUS.
     *
     * @return the flyweight over the response
     */
    BlockStatusResponse extents() {
        return extents.wrap(answer, answerOffset, responseLength);
    }

    /**
     * Decodes the response of a done management request.
     *
     * @return the flyweight over the response
     */
    ManagementResponse result() {
        return result.wrap(answer, answerOffset, responseLength);
    }

    /**
     * Describes the request for exception messages (allocates; only on failures).
     *
     * @return such as "READ of 65536 bytes at 4096 of volume 3"
     */
    String describe() {
        return switch (type.layout()) {
            case BLOCK -> type + " of " + block.length() + " bytes at " + block.volumeOffset() + " of volume "
                    + Long.toUnsignedString(block.volumeId());
            case WRITE -> type + " of " + write.length() + " bytes at " + write.volumeOffset() + " of volume "
                    + Long.toUnsignedString(write.volumeId());
            case MANAGEMENT -> type + describeManagement();
            default -> type.toString();
        };
    }

    private String describeManagement() {
        StringBuilder text = new StringBuilder();
        appendIfSet(text, " volume ", management.volumeId());
        appendIfSet(text, " snapshot ", management.snapshotId());
        appendIfSet(text, " client ", management.clientId());
        if (management.nameLength() > 0) {
            text.append(" \"").append(management.name()).append('"');
        }
        return text.toString();
    }

    private static void appendIfSet(StringBuilder text, String label, long id) {
        if (id != 0) {
            text.append(label).append(Long.toUnsignedString(id));
        }
    }
}
