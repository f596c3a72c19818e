package io.coems.nvsp.frame;

import io.coems.nvsp.MalformedMessageException;
import io.coems.nvsp.message.Nack;
import java.lang.foreign.MemorySegment;

/**
 * Collects the fragments of messages into whole messages, in a fixed number of slots of fixed
 * size allocated up front, so memory stays bounded whatever peers send.
 *
 * <p>A slot is keyed by session id and request id. It tracks which fragments arrived in a
 * bitmap, so duplicates are recognised and {@link #nack} can name the missing ones. Fragments
 * must have the geometry {@link Fragmenter} gives them (all but the last of one length, the
 * stride, fragment {@code i} at {@code i * stride}), so the fragments of a message tile it
 * exactly and it is complete when every one arrived; a fragment that contradicts the ones
 * received before is rejected.
 *
 * <p>Slots are shared by every session the reassembler serves, so no slot can stay taken for
 * good: a slot expires once the timeout has passed since its first fragment, whether its
 * message is complete or not; at most one completed message holds a slot at a time (completing
 * another frees the one not yet released); and one owner holds at most {@code slotsPerOwner}
 * slots, so a single peer cannot take them all. The owner is the session, or what the caller
 * names (a server passes the client, so that a client's several sessions share one quota). A
 * message that finds no free slot is dropped ({@link Outcome#NO_SLOT}) and the sender
 * retransmits later.
 *
 * <p>A fragment is stored in one of two ways. {@link #accept} copies the payload of a datagram
 * that already passed the {@code Opener} (on a protected session). Or, in two phases, without
 * that copy: {@link #reserve} finds the fragment's slot, or claims a free one, and checks the
 * fragment is new and fits, marking nothing; the caller writes the payload (the {@code Opener}
 * decrypts it) to {@link #reservedBuffer()} at {@link #reservedOffset()}, then either
 * {@link #commit()}s the fragment, which counts it as received, or, if the datagram failed,
 * {@link #abandon()}s it, which frees a slot the reservation claimed. A fragment received
 * before is never reserved, so a datagram that fails can overwrite only the range of a fragment
 * still missing, which a later commit of the real one fills. Nothing else may be called on the
 * reassembler between the two phases.
 *
 * <p>After {@link Outcome#COMPLETE}, decode the message from {@link #message()} and
 * {@link #release()} it, in a {@code finally} block so a message that fails to decode frees its
 * slot at once; data carried by a WRITE is applied only after its checksum verified.
 * Allocation-free after construction; not thread-safe.
 */
public final class Reassembler {
    /** What {@link #accept} or {@link #commit()} did with a fragment. */
    public enum Outcome {
        /** Stored; the message still misses fragments. */
        INCOMPLETE,
        /** Stored, and the message is whole: read it from {@link #message()}. */
        COMPLETE,
        /** This fragment was received before; ignored. */
        DUPLICATE,
        /** No slot is free; the fragment is dropped. */
        NO_SLOT
    }

    /** What {@link #reserve} found for a fragment whose datagram is not yet authenticated. */
    public enum Reservation {
        /**
         * The fragment's range in its slot is reserved: write the payload to
         * {@link #reservedBuffer()} at {@link #reservedOffset()}, then {@link #commit()} or
         * {@link #abandon()}.
         */
        RESERVED,
        /** This fragment was received before: nothing is reserved. */
        DUPLICATE,
        /** No slot is free: nothing is reserved. */
        NO_SLOT,
        /**
         * The fragment exceeds the limits or contradicts the fragments of its message received
         * before: nothing is reserved. Its header is not authenticated yet; authenticate the
         * datagram and pass it to {@link #accept}, which throws {@link MalformedMessageException}
         * with the reason.
         */
        MALFORMED
    }

    private final Slot[] slots;
    private final int slotsPerOwner;
    private final int maxMessageLength;
    private final int maxFragments;
    private final long timeoutNanos;
    private Slot completed;
    /** The slot of the fragment reserved and neither committed nor abandoned, or null. */
    private Slot reserved;
    private boolean reservedClaimed;
    private int reservedIndex;
    private long reservedStart;
    private long reservedEnd;
    private long reservedStride;

    /**
     * Creates a reassembler and allocates its slots ({@code slots * maxMessageLength} bytes).
     *
     * @param slots messages reassembled at the same time, at most
     * @param slotsPerOwner slots one owner (by default a session) may hold at the same time, 1 to
     *                      {@code slots}
     * @param maxMessageLength the largest message accepted, in bytes
     * @param maxFragments the largest fragment count accepted
     * @param timeoutNanos how long a slot is kept after its first fragment, complete or not
     */
    public Reassembler(int slots, int slotsPerOwner, int maxMessageLength, int maxFragments, long timeoutNanos) {
        if (slots <= 0 || slotsPerOwner <= 0 || slotsPerOwner > slots || maxMessageLength <= 0
                || maxFragments <= 0 || maxFragments > 0xFFFF || timeoutNanos <= 0) {
            throw new IllegalArgumentException("invalid reassembly configuration");
        }
        this.slots = new Slot[slots];
        for (int i = 0; i < slots; i++) {
            this.slots[i] = new Slot(maxMessageLength, maxFragments);
        }
        this.slotsPerOwner = slotsPerOwner;
        this.maxMessageLength = maxMessageLength;
        this.maxFragments = maxFragments;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Stores the payload of a received fragment.
     *
     * @param frame the header, wrapped over an authenticated (and decrypted) datagram
     * @param nowNanos the current time, as {@link System#nanoTime()}
     * @return what happened to the fragment; after {@link Outcome#COMPLETE} the message
     *     completed before, if not yet released, is freed
     * @throws MalformedMessageException if the fragment exceeds the limits or contradicts the
     *     fragments of its message received before
     * @throws IllegalStateException if a fragment is reserved (neither committed nor abandoned)
     */
    public Outcome accept(FrameHeader frame, long nowNanos) {
        return accept(frame, frame.sessionId(), nowNanos);
    }

    /**
     * Stores the payload of a received fragment, a new message counting against {@code owner}'s
     * quota of slots rather than its session's. The owner given with a message's first-arriving
     * fragment is the one it counts against. Use one style per reassembler: owners passed here
     * and the session ids the two-argument form counts by share one space of quota keys.
     *
     * @param frame the header, wrapped over an authenticated (and decrypted) datagram
     * @param owner whose quota a new message takes a slot of (a server passes the client id)
     * @param nowNanos the current time, as {@link System#nanoTime()}
     * @return what happened to the fragment, as {@link #accept(FrameHeader, long)}
     * @throws MalformedMessageException as {@link #accept(FrameHeader, long)}
     * @throws IllegalStateException as {@link #accept(FrameHeader, long)}
     */
    public Outcome accept(FrameHeader frame, long owner, long nowNanos) {
        Reservation placed = place(frame, owner, nowNanos, true); // throws where reserve answers MALFORMED
        if (placed == Reservation.DUPLICATE) {
            return Outcome.DUPLICATE;
        }
        if (placed == Reservation.NO_SLOT) {
            return Outcome.NO_SLOT;
        }
        MemorySegment.copy(frame.segment(), frame.payloadOffset(), reserved.buffer, reservedStart,
                reservedEnd - reservedStart);
        return commit();
    }

    /**
     * Reserves the range a received fragment's payload goes to, before its datagram is
     * authenticated, so that it can be opened straight into its slot: finds the slot of its
     * message or claims a free one, and checks the fragment is not a duplicate and has the
     * geometry of its message; marks nothing. After {@link Reservation#RESERVED} write the
     * payload to {@link #reservedBuffer()} at {@link #reservedOffset()} (nothing outside it),
     * then call {@link #commit()} if the datagram authenticated, else {@link #abandon()}.
     *
     * @param frame the header, wrapped over the received datagram; its payload is not read
     * @param nowNanos the current time, as {@link System#nanoTime()}
     * @return whether the range is reserved, and if not why
     * @throws IllegalStateException if a fragment is reserved already
     */
    public Reservation reserve(FrameHeader frame, long nowNanos) {
        return reserve(frame, frame.sessionId(), nowNanos);
    }

    /**
     * Reserves the range a received fragment's payload goes to, as
     * {@link #reserve(FrameHeader, long)}, a new message counting against {@code owner}'s quota
     * of slots as with {@link #accept(FrameHeader, long, long)}.
     *
     * @param frame the header, wrapped over the received datagram; its payload is not read
     * @param owner whose quota a new message takes a slot of (a server passes the client id)
     * @param nowNanos the current time, as {@link System#nanoTime()}
     * @return whether the range is reserved, and if not why
     * @throws IllegalStateException if a fragment is reserved already
     */
    public Reservation reserve(FrameHeader frame, long owner, long nowNanos) {
        return place(frame, owner, nowNanos, false);
    }

    /**
     * Returns the buffer of the slot reserved for a fragment.
     *
     * @return the slot's buffer, on the heap; the fragment's payload goes at
     *     {@link #reservedOffset()}
     * @throws IllegalStateException if no fragment is reserved
     */
    public MemorySegment reservedBuffer() {
        return reservation().buffer;
    }

    /**
     * Returns where the reserved fragment's payload goes in {@link #reservedBuffer()}: its
     * offset in the message. Its length is the fragment's payload length.
     *
     * @return the offset in bytes
     * @throws IllegalStateException if no fragment is reserved
     */
    public long reservedOffset() {
        reservation();
        return reservedStart;
    }

    /**
     * Counts the reserved fragment as received, its payload having been written to its range
     * and its datagram authenticated.
     *
     * @return {@link Outcome#INCOMPLETE}, or {@link Outcome#COMPLETE} when the message is whole;
     *     after {@link Outcome#COMPLETE} the message completed before, if not yet released, is
     *     freed
     * @throws IllegalStateException if no fragment is reserved
     */
    public Outcome commit() {
        Slot slot = reservation();
        reserved = null;
        slot.stride = reservedStride;
        if (reservedIndex == slot.fragmentCount - 1) {
            slot.totalLength = reservedEnd;
        }
        if (!slot.mark(reservedIndex)) {
            return Outcome.INCOMPLETE;
        }
        if (completed != null) {
            free(completed);
        }
        slot.complete = true;
        completed = slot;
        return Outcome.COMPLETE;
    }

    /**
     * Gives up the reserved fragment, whose datagram failed: it does not count as received
     * (whatever was written to its range is overwritten when the real fragment arrives), and a
     * slot the reservation claimed for a new message is free again. Nothing to do if no fragment
     * is reserved.
     */
    public void abandon() {
        Slot slot = reserved;
        if (slot == null) {
            return;
        }
        reserved = null;
        if (reservedClaimed) {
            free(slot);
        }
    }

    /**
     * Checks a fragment and finds or claims its slot; when it is new and fits, records it as
     * reserved. A malformed fragment throws when {@code strict}, else is answered MALFORMED.
     */
    private Reservation place(FrameHeader frame, long owner, long nowNanos, boolean strict) {
        checkNothingReserved();
        int count = frame.fragmentCount();
        int index = frame.fragmentIndex();
        long start = frame.fragmentOffset();
        int length = frame.payloadLength();
        long end = start + length;
        if (count > maxFragments) {
            return refuse(strict, frame, "fragmentCount", count + " fragments exceed " + maxFragments);
        }
        if (end > maxMessageLength) {
            return refuse(strict, frame, "fragmentOffset", "fragment ends at " + end + ", beyond " + maxMessageLength);
        }
        long stride = stride(index, count, start, length);
        if (stride < 0) {
            return refuse(strict, frame, "fragmentOffset", "fragment " + index + " at " + start + " of " + length
                    + " bytes is not where fragments of " + impliedStride(index, count, start, length) + " bytes go");
        }
        Slot slot = find(frame.sessionId(), frame.requestId());
        boolean claimed = slot == null;
        if (claimed) {
            slot = claim(owner, nowNanos);
            if (slot == null) {
                return Reservation.NO_SLOT;
            }
            slot.start(frame.sessionId(), frame.requestId(), owner, count, nowNanos);
        } else if (slot.fragmentCount != count) {
            return refuse(strict, frame, "fragmentCount",
                    count + " fragments, earlier ones said " + slot.fragmentCount);
        } else if (slot.has(index)) {
            return Reservation.DUPLICATE;
        } else if (slot.stride != stride) {
            return refuse(strict, frame, "fragmentOffset", "fragment " + index + " implies fragments of " + stride
                    + " bytes, earlier ones " + slot.stride);
        }
        reserved = slot;
        reservedClaimed = claimed;
        reservedIndex = index;
        reservedStart = start;
        reservedEnd = end;
        reservedStride = stride;
        return Reservation.RESERVED;
    }

    /** Answers a malformed fragment: MALFORMED when reserving, the exception when accepting. */
    private Reservation refuse(boolean strict, FrameHeader frame, String field, String reason) {
        if (strict) {
            throw malformed(frame, field, reason);
        }
        return Reservation.MALFORMED;
    }

    private Slot reservation() {
        if (reserved == null) {
            throw new IllegalStateException("no fragment is reserved");
        }
        return reserved;
    }

    private void checkNothingReserved() {
        if (reserved != null) {
            throw new IllegalStateException("a reserved fragment is neither committed nor abandoned");
        }
    }

    /**
     * Returns the buffer of the message last completed; it starts at offset 0.
     *
     * @return the slot's buffer, valid until {@link #release()}, the next
     *     {@link Outcome#COMPLETE} or the slot's expiry
     */
    public MemorySegment message() {
        return completed().buffer;
    }

    /**
     * Returns the length of the message last completed.
     *
     * @return the message length in bytes
     */
    public int messageLength() {
        return (int) completed().totalLength;
    }

    /**
     * Frees the slot of the message last completed, once it has been decoded; nothing to do if
     * {@link #discard} freed it meanwhile (a CLOSE in fragments ends its own session).
     */
    public void release() {
        if (completed != null) {
            free(completed);
        }
    }

    /**
     * Fills a NACK with the fragments a message still misses.
     *
     * @param sessionId the session of the message
     * @param requestId the request id of the message
     * @param nack a NACK wrapped for encoding
     * @return false when no slot holds that message (nothing received, completed or expired)
     */
    public boolean nack(long sessionId, long requestId, Nack nack) {
        Slot slot = find(sessionId, requestId);
        if (slot == null || slot.complete) {
            return false;
        }
        nack.fragmentCount(slot.fragmentCount);
        for (int i = 0; i < slot.fragmentCount; i++) {
            if (!slot.has(i)) {
                nack.missing(i);
            }
        }
        return true;
    }

    /**
     * Frees every slot of a session, complete or not: for a session that ended, whose slots
     * would otherwise hold their owner's quota until they expire. A message of the session
     * being decoded stays readable until the next fragment is accepted.
     *
     * @param sessionId the session
     * @return how many slots were freed
     * @throws IllegalStateException if a fragment is reserved (neither committed nor abandoned)
     */
    public int discard(long sessionId) {
        checkNothingReserved();
        int freed = 0;
        for (Slot slot : slots) {
            if (slot.used && slot.sessionId == sessionId) {
                free(slot);
                freed++;
            }
        }
        return freed;
    }

    /**
     * Frees every slot, complete or not, whose first fragment is older than the timeout.
     *
     * @param nowNanos the current time, as {@link System#nanoTime()}
     * @return how many slots expired
     * @throws IllegalStateException if a fragment is reserved (neither committed nor abandoned)
     */
    public int expire(long nowNanos) {
        checkNothingReserved();
        int expired = 0;
        for (Slot slot : slots) {
            if (isExpired(slot, nowNanos)) {
                free(slot);
                expired++;
            }
        }
        return expired;
    }

    /**
     * Returns how many slots hold a message.
     *
     * @return the count of used slots
     */
    public int slotsInUse() {
        int used = 0;
        for (Slot slot : slots) {
            if (slot.used) {
                used++;
            }
        }
        return used;
    }

    /**
     * Returns the stride a fragment implies, or -1 unless it has the geometry the fragmenter
     * produces: every fragment but the last has the same non-zero length (the stride) and
     * fragment i starts at i * stride; the last is non-empty and no longer than the stride.
     * Fragments that agree on the stride tile the message exactly.
     */
    private static long stride(int index, int count, long start, int length) {
        long stride = impliedStride(index, count, start, length);
        boolean fits = length > 0 && start == index * stride && length <= stride;
        return fits ? stride : -1;
    }

    /** The stride a fragment implies: its length, or for the last one its offset / index. */
    private static long impliedStride(int index, int count, long start, int length) {
        boolean last = index == count - 1;
        return !last || index == 0 ? length : start / index;
    }

    private Slot completed() {
        if (completed == null) {
            throw new IllegalStateException("no completed message");
        }
        return completed;
    }

    private Slot find(long sessionId, long requestId) {
        for (Slot slot : slots) {
            if (slot.holds(sessionId, requestId)) {
                return slot;
            }
        }
        return null;
    }

    /** Returns a free or expired slot, freed, unless {@code owner} already holds its quota. */
    private Slot claim(long owner, long nowNanos) {
        Slot candidate = null;
        int held = 0;
        for (Slot slot : slots) {
            if (!slot.used || isExpired(slot, nowNanos)) {
                candidate = candidate == null ? slot : candidate;
            } else if (slot.owner == owner) {
                held++;
            }
        }
        if (candidate == null || held >= slotsPerOwner) {
            return null;
        }
        free(candidate);
        return candidate;
    }

    private boolean isExpired(Slot slot, long nowNanos) {
        return slot.used && nowNanos - slot.startedNanos > timeoutNanos;
    }

    private void free(Slot slot) {
        slot.free();
        if (slot == completed) {
            completed = null;
        }
    }

    private static MalformedMessageException malformed(FrameHeader frame, String field, String reason) {
        return new MalformedMessageException(field, frame.offset(), reason);
    }
}
