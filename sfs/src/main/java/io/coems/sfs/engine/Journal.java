package io.coems.sfs.engine;

import io.coems.matrix.Blocks;
import io.coems.sfs.SfsCorruptException;
import io.coems.sfs.format.MetaBlock;
import io.coems.sfs.format.Sector;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static io.coems.sfs.format.LittleEndian.INT;
import static io.coems.sfs.format.LittleEndian.LONG;

/**
 * The redo journal that makes SFS metadata changes crash-atomic (as ext3's JBD2, ordered
 * mode). Transactions only merge their changed blocks into the <em>running</em> transaction;
 * {@link #commit()} makes it durable as one record, then writes the blocks to their homes:
 *
 * <ol>
 *   <li>write a descriptor block and an image of every changed block into the journal;</li>
 *   <li>flush: the images and every data block written before (ordered mode) are durable;</li>
 *   <li>write the commit sector; flush: the transaction is durable;</li>
 *   <li>write the images to their home locations (durable at the next flush; until then the
 *       journal holds them).</li>
 * </ol>
 *
 * Home locations are never written before step 3, so a crash anywhere leaves either the old
 * metadata or a complete record to replay. Open replays every complete record from the tail in
 * sequence and stops at the first incomplete one (its commit never became durable, so nothing
 * acknowledged is lost). A block freed by a transaction is revoked: its older images are not
 * replayed over whatever the block holds later; and it is not reused before that transaction
 * is durable.
 *
 * <pre>
 *  journal region: J blocks from journalStart
 *  block 0: header sector            blocks 1..J-1: a circular log of records
 *  0   8  magic "COEMSJNL"           record = descriptor block, n image blocks, commit block
 *  8   8  sequence of the tail
 *  16  4  position of the tail       descriptor block (sealed with the MetaBlock trailer, JDSC):
 *  20  4  log blocks (J - 1)           0  8  sequence
 *  ... 0                               8  4  entries n
 *  4092 4 CRC32C of bytes 0..4091      12 4  reserved
 *                                      16 16*n  entries: home block (u64), kind tag (u32,
 *                                               0 = revoke), CRC of the image's trailer (u32)
 *  commit block, sector 0:
 *  0  8  magic "COEMSJCM"   8  8  sequence   16  4  entries n   20  4  CRC32C of the descriptor
 *  4092  4  CRC32C of bytes 0..4091
 * </pre>
 *
 * <p>Threading (as JBD2's running and committing transactions). A commit has two halves:
 * {@link #begin} runs under the file system's metadata lock and is short: it waits until no
 * commit is in flight, then takes the running transaction as the <em>committing</em> one
 * (copying the images that later transactions change in place) and starts an empty running
 * transaction; {@link #write} does the steps above and needs no lock, so transactions go on
 * while it runs. At most one commit is in flight: its end is a future, not a lock, so a thread
 * that holds the metadata lock may wait for it (the I/O never takes that lock). Everything
 * else ({@link #add}, {@link #freed}, the queries) is called under the metadata lock, except
 * {@link #isRunning}, which the metadata cache asks without it. Until a committing transaction
 * is written home, the queries answer for it as for the running one. Every flush of the store
 * goes through the journal ({@link #write}, {@link #checkpoint}, {@link #flushStore}), one at
 * a time.
 */
final class Journal {
    /** Most entries in one record (one descriptor block). */
    static final int MAX_ENTRIES = (MetaBlock.PAYLOAD - 16) / 16;
    private static final byte[] HEADER_MAGIC = "COEMSJNL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMMIT_MAGIC = "COEMSJCM".getBytes(StandardCharsets.US_ASCII);

    /** A changed block in the running transaction: its newest content and kind. */
    private record Image(MemorySegment content, MetaBlock.Kind kind) {
    }

    /**
     * A transaction being committed, taken from the running one by {@link #begin}: never changed
     * afterwards, so it is read without a lock. Its images are its own copies for the kinds
     * changed in place, and the installed cached segments for the others.
     *
     * @param images      every changed block and its image
     * @param revoked     blocks revoked by the record
     * @param pendingFree blocks freed by it, not reused before it is durable
     * @param decreased   blocks whose count dropped in it
     */
    record Committing(Map<Long, Image> images, Set<Long> revoked, Set<Long> pendingFree, Set<Long> decreased) {
        private static final Committing NONE = new Committing(Map.of(), Set.of(), Set.of(), Set.of());
    }

    private final Store store;
    private final long start;
    private final int logBlocks;
    private final int capacity;
    /** Concurrent because the metadata cache asks {@link #isRunning} without the metadata lock. */
    private final Map<Long, Image> running = new ConcurrentHashMap<>();
    /** Blocks freed by the running transaction that have images in the log: revoked in its record. */
    private final Set<Long> revoked = new HashSet<>();
    /** Every block freed by the running transaction: not reused before its record is durable. */
    private final Set<Long> pendingFree = new HashSet<>();
    /**
     * Blocks with images in the log since the last checkpoint. Concurrent: the commit in flight
     * adds to it (and its checkpoint clears it) without the metadata lock while {@link #freed}
     * reads it under that lock.
     */
    private final Set<Long> logged = ConcurrentHashMap.newKeySet();
    /** Blocks whose count dropped in the running transaction: in the durable state they are still shared. */
    private final Set<Long> decreased = new HashSet<>();
    /** The transaction the commit in flight writes; {@link Committing#NONE} once it is written home. */
    private volatile Committing committing = Committing.NONE;
    /** Completes when the commit in flight (if any) has ended, written or failed. */
    private volatile CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    /** Sequence, tail and head change only in a commit's {@link #write} or with no commit in flight. */
    private long sequence;
    private long tailSequence;
    private volatile RuntimeException failure;
    private int tail;
    private int head;

    private Journal(Store store, long start, int blocks, long tailSequence, int tail) {
        this.store = store;
        this.start = start;
        this.logBlocks = blocks - 1;
        this.capacity = Math.min(MAX_ENTRIES, logBlocks / 2 - 2);
        this.tailSequence = tailSequence;
        this.sequence = tailSequence;
        this.tail = tail;
        this.head = tail;
    }

    /** Writes an empty journal into {@code blocks} blocks from {@code start} (format). */
    static Journal create(Store store, long start, int blocks) {
        Journal journal = new Journal(store, start, blocks, 1, 0);
        journal.writeHeader();
        return journal;
    }

    /**
     * Replays every complete record of the journal at {@code start} into the home locations,
     * flushes, and returns the journal, empty, ready for new records. {@code notes} tells how
     * many records were replayed.
     *
     * @throws SfsCorruptException if the header is damaged
     */
    static Journal recover(Store store, long start, int blocks, List<String> notes) {
        MemorySegment header = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        store.read(start, 0, header);
        if (!Sector.valid(header, HEADER_MAGIC)) {
            throw new SfsCorruptException("journal header at block " + start + " is damaged");
        }
        Journal journal = new Journal(store, start, blocks, header.get(LONG, 8), header.get(INT, 16));
        int replayed = journal.replay();
        if (replayed > 0) {
            notes.add("replayed " + replayed + " journal transaction(s)");
        }
        store.flush();
        journal.tail = journal.head;
        journal.tailSequence = journal.sequence;
        journal.writeHeader();
        store.flush();
        return journal;
    }

    /** Merges committed changes of a transaction into the running transaction. */
    void add(long block, MemorySegment content, MetaBlock.Kind kind) {
        running.put(block, new Image(content, kind));
        revoked.remove(block);
    }

    /**
     * Records that {@code block} was freed by the running transaction: it is not reused before
     * the transaction is durable, and if the log holds images of it, or will once the commit in
     * flight is written, they are revoked. {@link #logged} may lose the block meanwhile to the
     * checkpoint of the commit in flight: the revoke, then redundant, is harmless (replay skips
     * only older images of the block, and the log holds none); and a block the checkpoint
     * removed before the check needs none, its home write being durable and the tail past it.
     */
    void freed(long block) {
        running.remove(block);
        pendingFree.add(block);
        if (logged.contains(block) || committing.images().containsKey(block)) {
            revoked.add(block);
        }
    }

    /**
     * Whether {@code block} was freed by a transaction not durable yet (and may not be reused
     * yet); throws if the journal stopped.
     */
    boolean pendingFree(long block) {
        checkNotStopped();
        return pendingFree.contains(block) || committing.pendingFree().contains(block);
    }

    /** Records that {@code block}'s count dropped (and stayed above 0) in the running transaction. */
    void decreased(long block) {
        decreased.add(block);
    }

    /**
     * Whether {@code block}'s count is the same in the durable state: a data block whose count
     * dropped to 1 only in a transaction not durable yet is still shared on disk, and writing it
     * in place would show the write to the other sharer after a crash. Throws if the journal
     * stopped (through {@link #pendingFree}).
     */
    boolean stable(long block) {
        return !decreased.contains(block) && !pendingFree(block) && !committing.decreased().contains(block);
    }

    /**
     * Whether the running or the committing transaction holds {@code block}: its newest content
     * may not be in the store yet. Safe without the metadata lock: {@link #begin} publishes the
     * committing transaction before it empties the running one, and {@link #write} drops it only
     * once its images are written home, so a block held by either is never seen by neither
     * (running is read first).
     */
    boolean isRunning(long block) {
        return running.containsKey(block) || committing.images().containsKey(block);
    }

    /** Blocks and revokes in the running transaction. */
    int size() {
        return running.size() + revoked.size();
    }

    /** Whether the running transaction should commit before it grows past what one record holds. */
    boolean full(int more) {
        return size() + more > capacity;
    }

    /**
     * Makes the running transaction durable (nothing to do if it is empty), then writes it home,
     * in the calling thread, which holds the metadata lock and keeps it throughout.
     *
     * @see #write
     */
    void commit() {
        Committing taken = begin(false);
        if (taken != null) {
            write(taken);
        }
    }

    /**
     * Waits until no commit is in flight; needs no lock. A caller that holds the metadata lock
     * knows afterwards that none begins before it lets go of the lock.
     */
    void awaitIdle() {
        inFlight.join();
    }

    /**
     * Flushes the store outside a commit (format, open, growth, repair, close): waits for the
     * commit in flight first, so flushes never overlap. The caller holds the metadata lock.
     */
    void flushStore() {
        awaitIdle();
        store.flush();
    }

    /**
     * The first half of a commit, under the metadata lock: waits for the commit in flight, then
     * takes the running transaction as the committing one and starts an empty running
     * transaction. The caller must pass the result to {@link #write}.
     *
     * <p>Images of the kinds changed in place ({@link Transaction#IN_PLACE}) are copied: the
     * cached segment itself is their image, and later transactions change it while the commit
     * writes. The other kinds' images are the segments installed in the cache, which nobody
     * changes after the install (a change copies them first) but for the trailer that
     * {@link #write} seals into them: harmless, for a copy made meanwhile is sealed again before
     * it is written anywhere, and readers decode only the payload.
     *
     * @param evenIfEmpty whether to commit an empty transaction too (one flush of the store,
     *                    which makes durable the data written before)
     * @return the committing transaction, or null if there was nothing to commit
     * @throws io.coems.sfs.SfsIoException if the journal stopped after an earlier failure
     */
    Committing begin(boolean evenIfEmpty) {
        awaitIdle();
        checkNotStopped();
        if (!evenIfEmpty && running.isEmpty() && revoked.isEmpty() && pendingFree.isEmpty() && decreased.isEmpty()) {
            return null;
        }
        Map<Long, Image> images = new HashMap<>();
        for (Map.Entry<Long, Image> e : running.entrySet()) {
            Image image = e.getValue();
            if (Transaction.IN_PLACE.contains(image.kind())) {
                MemorySegment copy = MemorySegment.ofArray(new byte[Blocks.SIZE]);
                MemorySegment.copy(image.content(), 0, copy, 0, Blocks.SIZE);
                image = new Image(copy, image.kind());
            }
            images.put(e.getKey(), image);
        }
        Committing taken = new Committing(Collections.unmodifiableMap(images), Set.copyOf(revoked),
                Set.copyOf(pendingFree), Set.copyOf(decreased));
        inFlight = new CompletableFuture<>();
        committing = taken; // before the running sets empty: see isRunning
        running.clear();
        revoked.clear();
        pendingFree.clear();
        decreased.clear();
        return taken;
    }

    /**
     * The second half of a commit, {@code taken} from {@link #begin}: makes it durable and
     * writes it home; needs no lock. However it ends, the commit is no longer in flight
     * afterwards. A failure (an {@link Error} too) stops the journal for good: the state in
     * memory may no longer match the disk, and only a reopen (which replays what did commit)
     * can be trusted. The failed transaction stays the committing one, so its blocks stay
     * pinned, its freed blocks unused and its dropped counts shared, and every transaction still
     * open is refused where it would allocate, claim or commit ({@link #checkNotStopped}).
     */
    void write(Committing taken) {
        try {
            writeRecord(taken);
            committing = Committing.NONE;
        } catch (RuntimeException | Error e) {
            failure = e instanceof RuntimeException r ? r
                    : new io.coems.sfs.SfsIoException("the journal commit failed: " + e, e);
            throw e;
        } finally {
            inFlight.complete(null);
        }
    }

    /**
     * Throws if a commit failed: a transaction begun before the failure must not allocate,
     * claim or commit on a state the disk may never reach.
     *
     * @throws io.coems.sfs.SfsIoException if the journal stopped
     */
    void checkNotStopped() {
        RuntimeException stopped = failure;
        if (stopped != null) {
            throw new io.coems.sfs.SfsIoException("the journal stopped after a failed commit; reopen the file system"
                    + " to recover: " + stopped.getMessage(), stopped);
        }
    }

    private void writeRecord(Committing taken) {
        int entries = taken.images().size() + taken.revoked().size();
        if (entries == 0) {
            store.flush();
            return;
        }
        if (entries > capacity) {
            throw new SfsCorruptException("a transaction of " + entries + " blocks exceeds the journal's "
                    + capacity);
        }
        int length = entries + 2;
        // Strictly less: a log filled to the last block would have head == tail, which reads as empty.
        if (used() + length >= logBlocks) {
            checkpoint();
        }
        MemorySegment descriptor = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        descriptor.set(LONG, 0, sequence);
        descriptor.set(INT, 8, entries);
        int i = 0;
        for (Map.Entry<Long, Image> e : taken.images().entrySet()) {
            int crc = MetaBlock.seal(e.getValue().content(), e.getValue().kind());
            entry(descriptor, i, e.getKey(), e.getValue().kind().tag(), crc);
            store.write(logBlock(head + 1 + i), 0, e.getValue().content());
            i++;
        }
        for (long block : taken.revoked()) {
            entry(descriptor, i++, block, 0, 0);
        }
        int descriptorCrc = MetaBlock.seal(descriptor, MetaBlock.Kind.JOURNAL_DESCRIPTOR);
        store.write(logBlock(head), 0, descriptor);
        store.flush();
        MemorySegment commit = Sector.create(COMMIT_MAGIC);
        commit.set(LONG, 8, sequence);
        commit.set(INT, 16, entries);
        commit.set(INT, 20, descriptorCrc);
        Sector.seal(commit);
        store.write(logBlock(head + length - 1), 0, commit);
        store.flush();
        for (Map.Entry<Long, Image> e : taken.images().entrySet()) {
            store.write(e.getKey(), 0, e.getValue().content());
        }
        logged.addAll(taken.images().keySet());
        head = (head + length) % logBlocks;
        sequence++;
    }

    /**
     * Makes every home write durable and empties the log: flush, then move the tail to the
     * head. Called when the log is full (by the commit's {@link #write}), and on close and
     * repair right after their commit (no commit in flight, and none may begin).
     */
    void checkpoint() {
        store.flush();
        tail = head;
        tailSequence = sequence;
        logged.clear();
        writeHeader();
        store.flush();
    }

    private int used() {
        return Math.floorMod(head - tail, logBlocks);
    }

    private long logBlock(int position) {
        return start + 1 + Math.floorMod(position, logBlocks);
    }

    /** Applies the complete records from the tail; returns how many. */
    private int replay() {
        Map<Long, Long> revokedAt = new HashMap<>();
        int count = 0;
        int position = tail;
        long seq = tailSequence;
        record Record(int position, long seq, MemorySegment descriptor, int entries) {
        }
        java.util.ArrayList<Record> records = new java.util.ArrayList<>();
        MemorySegment descriptor = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        MemorySegment commit = MemorySegment.ofArray(new byte[Blocks.SECTOR_SIZE]);
        while (count * 2 < logBlocks) {
            store.read(logBlock(position), 0, descriptor);
            if (!MetaBlock.valid(descriptor, MetaBlock.Kind.JOURNAL_DESCRIPTOR) || descriptor.get(LONG, 0) != seq) {
                break;
            }
            int entries = descriptor.get(INT, 8);
            if (entries < 0 || entries > MAX_ENTRIES || entries + 2 > logBlocks) {
                break;
            }
            store.read(logBlock(position + entries + 1), 0, commit);
            if (!Sector.valid(commit, COMMIT_MAGIC) || commit.get(LONG, 8) != seq || commit.get(INT, 16) != entries
                    || commit.get(INT, 20) != MetaBlock.crcOf(descriptor)) {
                break;
            }
            MemorySegment copy = MemorySegment.ofArray(new byte[Blocks.SIZE]);
            MemorySegment.copy(descriptor, 0, copy, 0, Blocks.SIZE);
            records.add(new Record(position, seq, copy, entries));
            for (int i = 0; i < entries; i++) {
                if (copy.get(INT, 16 + 16L * i + 8) == 0) {
                    revokedAt.put(copy.get(LONG, 16 + 16L * i), seq);
                }
            }
            position = (position + entries + 2) % logBlocks;
            seq++;
            count++;
        }
        MemorySegment image = MemorySegment.ofArray(new byte[Blocks.SIZE]);
        for (Record r : records) {
            for (int i = 0; i < r.entries(); i++) {
                long home = r.descriptor().get(LONG, 16 + 16L * i);
                int tag = r.descriptor().get(INT, 16 + 16L * i + 8);
                Long revokedSeq = revokedAt.get(home);
                if (tag == 0 || (revokedSeq != null && revokedSeq >= r.seq())) {
                    continue;
                }
                store.read(logBlock(r.position() + 1 + i), 0, image);
                if (MetaBlock.crcOf(image) != r.descriptor().get(INT, 16 + 16L * i + 12)) {
                    throw new SfsCorruptException("journal image " + i + " of transaction " + r.seq()
                            + " (home block " + home + ") is damaged though its transaction committed");
                }
                store.write(home, 0, image);
            }
        }
        head = position;
        sequence = seq;
        return count;
    }

    private static void entry(MemorySegment descriptor, int i, long home, int tag, int crc) {
        descriptor.set(LONG, 16 + 16L * i, home);
        descriptor.set(INT, 16 + 16L * i + 8, tag);
        descriptor.set(INT, 16 + 16L * i + 12, crc);
    }

    private void writeHeader() {
        MemorySegment header = Sector.create(HEADER_MAGIC);
        header.set(LONG, 8, tailSequence);
        header.set(INT, 16, tail);
        header.set(INT, 20, logBlocks);
        Sector.seal(header);
        store.write(start, 0, header);
    }
}
