package io.coems.nvsp.crypto;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.frame.FrameHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * What {@link Sealer} and {@link Opener} share: one AES-256-GCM {@link Cipher} reused for every
 * datagram of one direction and the 96-bit nonce built from the direction's 4-byte prefix and
 * the packet sequence.
 *
 * <p>Nonce: bytes 0-3 the prefix derived with the key, bytes 4-11 the sequence little-endian.
 * Associated data: the 40-byte frame header (ENCRYPTED), or the header and the clear payload
 * (INTEGRITY_ONLY, where the tag is a GMAC). Datagram memory must be writable.
 *
 * <p>Sealing has a second form, {@link Sealer#sealFrom}: the payload comes from an array of the
 * sender's (a fragment in a message buffer) and, in ENCRYPTED mode into a heap datagram, is
 * encrypted from there straight into the datagram, out of place, so it is never copied into the
 * datagram first; in INTEGRITY_ONLY, or into a datagram in native memory, it is copied in and
 * sealed as below.
 *
 * <p>The cipher runs on byte arrays: the JDK's GCM processes a whole array in one intrinsic
 * call, but a direct buffer in 768-byte pieces through arrays it allocates for every call.
 * Datagrams on the heap (a segment over a {@code byte[]}) are therefore sealed in place; others
 * are copied through an array of the cipher's own, grown to the largest datagram seen, and back.
 *
 * <p>Decryption never writes its output over its input: the JDK's GCM decrypts slower in place
 * (an 8 KiB payload: 2.1 us in place, 1.2 us out of place with a copy back;
 * {@code GcmOpenBenchmark}). A datagram opened in place is decrypted into a second array of the
 * cipher's own and the plaintext copied back into the datagram, which a failed tag leaves as
 * it was. A datagram opened into a target on the heap (a reassembly slot) is decrypted straight
 * into the target's array, with no copy, and keeps its ciphertext; a target in native memory
 * gets the plaintext through the second array. INTEGRITY_ONLY has no plaintext to decrypt: the
 * clear payload is copied to the target once the tag verified. GCM may write (or zero) its
 * output before it finds that the tag fails, so opening into a target writes nothing outside
 * the payload's length at the target offset, but may have written that range when it fails.
 */
abstract sealed class DatagramCipher permits Sealer, Opener {
    private static final int TAG_BITS = FrameHeader.TAG_LENGTH * Byte.SIZE;

    private final Cipher cipher;
    private final SecretKey key;
    private final byte[] nonce = new byte[12];
    private final SecurityMode mode;
    private byte[] scratch = new byte[0];
    /** Where a decryption writes the plaintext, grown to the largest seen. */
    private byte[] plain = new byte[0];

    DatagramCipher(TrafficKey trafficKey, SecurityMode mode) {
        this.key = trafficKey.key();
        this.mode = mode;
        System.arraycopy(trafficKey.noncePrefix(), 0, nonce, 0, TrafficKey.NONCE_PREFIX_LENGTH);
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK must provide AES/GCM/NoPadding", e);
        }
    }

    /**
     * Returns the protection mode.
     *
     * @return the mode this cipher applies
     */
    public final SecurityMode mode() {
        return mode;
    }

    /**
     * Encrypts a payload from {@code source} into a datagram on the heap, out of place, in one
     * pass: the associated data is the 40-byte header written in the datagram, the ciphertext
     * and the tag go after it. {@code source} is only read. ENCRYPTED mode only (in
     * INTEGRITY_ONLY the payload itself is associated data and must be in the datagram).
     *
     * @param frame the header of the datagram, wrapped, flags, sequence and payload length set
     * @param datagram the array under the datagram's memory
     * @param start where the datagram starts in it
     * @param source the array holding the clear payload
     * @param sourceOffset where the payload starts in it
     * @throws GeneralSecurityException if the cipher fails
     */
    final void encryptFrom(FrameHeader frame, byte[] datagram, int start, byte[] source, int sourceOffset)
            throws GeneralSecurityException {
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(frame)));
        cipher.updateAAD(datagram, start, FrameHeader.LENGTH);
        cipher.doFinal(source, sourceOffset, frame.payloadLength(), datagram, start + FrameHeader.LENGTH);
    }

    /** The frame flags of a datagram protected in this mode. */
    final int flags() {
        return mode == SecurityMode.ENCRYPTED
                ? FrameHeader.FLAG_AUTHENTICATED | FrameHeader.FLAG_ENCRYPTED
                : FrameHeader.FLAG_AUTHENTICATED;
    }

    /**
     * Encrypts (or, INTEGRITY_ONLY, authenticates) a datagram in place and writes the tag after
     * its payload: the nonce comes from the header's sequence.
     *
     * @param frame the header of the datagram, wrapped
     * @throws GeneralSecurityException if the cipher fails
     */
    final void encrypt(FrameHeader frame) throws GeneralSecurityException {
        MemorySegment segment = frame.segment();
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("datagrams are sealed in place: the memory must be writable");
        }
        int aadLength = associatedLength(frame);
        int inputLength = mode == SecurityMode.ENCRYPTED ? frame.payloadLength() : 0;
        byte[] array = input(frame, aadLength + inputLength, aadLength + inputLength + FrameHeader.TAG_LENGTH);
        int start = start(frame, array);
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(frame)));
        cipher.updateAAD(array, start, aadLength);
        int output = cipher.doFinal(array, start + aadLength, inputLength, array, start + aadLength);
        if (array == scratch) {
            MemorySegment.copy(scratch, aadLength, segment, ValueLayout.JAVA_BYTE, frame.offset() + aadLength, output);
        }
    }

    /**
     * Verifies a datagram's tag and writes its clear payload, never over its input: to
     * {@code target} at {@code targetOffset}, or back over the payload in the datagram when
     * {@code target} is null. If the tag fails, the bytes at the destination, the payload's
     * length from its offset, may have been overwritten; nothing else is.
     *
     * @param frame the header of the datagram, wrapped
     * @param target where the clear payload goes, or null for the datagram's own payload
     * @param targetOffset the offset in {@code target} (ignored when it is null)
     * @throws GeneralSecurityException when the tag does not verify
     */
    final void decrypt(FrameHeader frame, MemorySegment target, long targetOffset) throws GeneralSecurityException {
        MemorySegment segment = frame.segment();
        boolean inPlace = target == null;
        if (inPlace && segment.isReadOnly()) {
            throw new IllegalArgumentException("datagrams are opened in place: the memory must be writable");
        }
        boolean encrypted = mode == SecurityMode.ENCRYPTED;
        int payloadLength = frame.payloadLength();
        int aadLength = associatedLength(frame);
        int inputLength = (encrypted ? payloadLength : 0) + FrameHeader.TAG_LENGTH;
        byte[] array = input(frame, aadLength + inputLength, aadLength + inputLength);
        int start = start(frame, array);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(frame)));
        cipher.updateAAD(array, start, aadLength);
        if (!inPlace && encrypted && target.heapBase().orElse(null) instanceof byte[] heap && heap != array) {
            // straight into the target's array: no copy (never over the input, see the class comment)
            cipher.doFinal(array, start + aadLength, inputLength, heap, Math.toIntExact(target.address() + targetOffset));
            return;
        }
        if (plain.length < inputLength) {
            plain = new byte[inputLength];
        }
        // out of place: the JDK's GCM decrypts slower with its output over its input
        int output = cipher.doFinal(array, start + aadLength, inputLength, plain, 0);
        if (inPlace) {
            MemorySegment.copy(plain, 0, segment, ValueLayout.JAVA_BYTE, frame.payloadOffset(), output);
        } else if (encrypted) {
            MemorySegment.copy(plain, 0, target, ValueLayout.JAVA_BYTE, targetOffset, output);
        } else {
            // INTEGRITY_ONLY: the tag verified the clear payload; only now is it copied
            MemorySegment.copy(segment, frame.payloadOffset(), target, targetOffset, payloadLength);
        }
    }

    /** The associated data: the header, and in INTEGRITY_ONLY the clear payload after it. */
    private int associatedLength(FrameHeader frame) {
        return mode == SecurityMode.ENCRYPTED ? FrameHeader.LENGTH : FrameHeader.LENGTH + frame.payloadLength();
    }

    /** Writes the header's sequence into the nonce and returns it. */
    private byte[] nonce(FrameHeader frame) {
        LittleEndian.put(frame.sequence(), nonce, TrafficKey.NONCE_PREFIX_LENGTH);
        return nonce;
    }

    /**
     * Returns the array the cipher reads the datagram from: the datagram's own heap array, or
     * the scratch array (grown to {@code room} bytes) with its first {@code used} bytes copied in.
     */
    private byte[] input(FrameHeader frame, int used, int room) {
        MemorySegment segment = frame.segment();
        if (segment.heapBase().orElse(null) instanceof byte[] heap) {
            return heap;
        }
        if (scratch.length < room) {
            scratch = new byte[room];
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, frame.offset(), scratch, 0, used);
        return scratch;
    }

    /** Where the datagram starts in the array {@link #input} returned. */
    private int start(FrameHeader frame, byte[] array) {
        return array == scratch ? 0 : Math.toIntExact(frame.segment().address() + frame.offset());
    }
}
