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
 * <p>The cipher runs on byte arrays: the JDK's GCM processes a whole array in one intrinsic
 * call, but a direct buffer in 768-byte pieces through arrays it allocates for every call.
 * Datagrams on the heap (a segment over a {@code byte[]}) are therefore sealed in place; others
 * are copied through an array of the cipher's own, grown to the largest datagram seen, and back.
 * Decryption writes to a second array of its own and the plaintext is copied back: the JDK's
 * GCM decrypts slower with its output over its input (an 8 KiB payload: 2.1 us in place,
 * 1.2 us out of place with the copy back; {@code GcmOpenBenchmark}).
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

    /** The frame flags of a datagram protected in this mode. */
    final int flags() {
        return mode == SecurityMode.ENCRYPTED
                ? FrameHeader.FLAG_AUTHENTICATED | FrameHeader.FLAG_ENCRYPTED
                : FrameHeader.FLAG_AUTHENTICATED;
    }

    /**
     * Runs one GCM operation over a datagram in place: the nonce comes from the header's
     * sequence, the associated data and the input from the mode and the payload length.
     *
     * @param opmode {@link Cipher#ENCRYPT_MODE} (the tag is appended after the payload) or
     *     {@link Cipher#DECRYPT_MODE} (the tag is read from there)
     * @param frame the header of the datagram, wrapped
     * @throws GeneralSecurityException when the tag does not verify
     */
    final void run(int opmode, FrameHeader frame) throws GeneralSecurityException {
        MemorySegment segment = frame.segment();
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException("datagrams are sealed and opened in place: the memory must be writable");
        }
        LittleEndian.put(frame.sequence(), nonce, TrafficKey.NONCE_PREFIX_LENGTH);
        boolean encrypted = mode == SecurityMode.ENCRYPTED;
        boolean decrypt = opmode == Cipher.DECRYPT_MODE;
        int payloadLength = frame.payloadLength();
        int aadLength = encrypted ? FrameHeader.LENGTH : FrameHeader.LENGTH + payloadLength;
        int inputLength = (encrypted ? payloadLength : 0) + (decrypt ? FrameHeader.TAG_LENGTH : 0);
        int datagramLength = aadLength + inputLength + (decrypt ? 0 : FrameHeader.TAG_LENGTH);
        byte[] array;
        int start;
        if (segment.heapBase().orElse(null) instanceof byte[] heap) {
            array = heap;
            start = Math.toIntExact(segment.address() + frame.offset());
        } else {
            if (scratch.length < datagramLength) {
                scratch = new byte[datagramLength];
            }
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, frame.offset(), scratch, 0, aadLength + inputLength);
            array = scratch;
            start = 0;
        }
        cipher.init(opmode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(array, start, aadLength);
        if (decrypt) {
            // out of place: the JDK's GCM decrypts slower with its output over its input
            if (plain.length < inputLength) {
                plain = new byte[inputLength];
            }
            int output = cipher.doFinal(array, start + aadLength, inputLength, plain, 0);
            MemorySegment.copy(plain, 0, segment, ValueLayout.JAVA_BYTE, frame.offset() + aadLength, output);
            return;
        }
        int output = cipher.doFinal(array, start + aadLength, inputLength, array, start + aadLength);
        if (array == scratch) {
            MemorySegment.copy(scratch, aadLength, segment, ValueLayout.JAVA_BYTE, frame.offset() + aadLength, output);
        }
    }
}
