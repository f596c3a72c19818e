package io.coems.benchmarks.nvsp;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Why the codec's {@code Opener} decrypts out of place: the JDK's AES-GCM decrypting a heap
 * datagram in place (output over the input) against into another array, as the opener does (it
 * then copies the plaintext back, which {@link #intoAnotherArrayAndBack} includes). Every
 * variant first restores the sealed datagram from a template, so all pay the same copy. Run with
 * {@code -prof gc}: in place, the JDK allocates a copy of the input.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GcmOpenBenchmark {
    private static final int HEADER = 40;
    private static final int TAG = 16;

    /** Payload bytes: a full 1,408-byte datagram's and an 8 KiB fragment's. */
    @Param({"1352", "8192"})
    public int payload;

    private final byte[] nonce = new byte[12];
    private SecretKey key;
    private Cipher cipher;
    private byte[] sealed;
    private byte[] datagram;
    private byte[] plain;

    /** Seals one datagram to open again and again (decryption may reuse a nonce). */
    @Setup
    public void setUp() throws GeneralSecurityException {
        key = new SecretKeySpec(new byte[32], "AES");
        cipher = Cipher.getInstance("AES/GCM/NoPadding");
        sealed = new byte[HEADER + payload + TAG];
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
        cipher.updateAAD(sealed, 0, HEADER);
        cipher.doFinal(new byte[payload], 0, payload, sealed, HEADER);
        datagram = new byte[sealed.length];
        plain = new byte[payload];
    }

    private void begin() throws GeneralSecurityException {
        System.arraycopy(sealed, 0, datagram, 0, sealed.length);
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
        cipher.updateAAD(datagram, 0, HEADER);
    }

    /** Output over the input, as the opener did. */
    @Benchmark
    public int inPlace() throws GeneralSecurityException {
        begin();
        return cipher.doFinal(datagram, HEADER, payload + TAG, datagram, HEADER);
    }

    /** Output into an array of the opener's own, then copied back into the datagram. */
    @Benchmark
    public int intoAnotherArrayAndBack() throws GeneralSecurityException {
        begin();
        int length = cipher.doFinal(datagram, HEADER, payload + TAG, plain, 0);
        System.arraycopy(plain, 0, datagram, HEADER, length);
        return length;
    }
}
