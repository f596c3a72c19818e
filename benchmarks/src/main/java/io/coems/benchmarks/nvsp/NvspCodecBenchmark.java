package io.coems.benchmarks.nvsp;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.crypto.Opener;
import io.coems.nvsp.crypto.Sealer;
import io.coems.nvsp.crypto.SessionKeys;
import io.coems.nvsp.crypto.Direction;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.BlockRequest;
import io.coems.nvsp.message.MessageType;
import io.coems.nvsp.message.WriteRequest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NVSP codec costs, to run with {@code -prof gc}. Targets (issue 6): 0 B/op on the unencrypted
 * paths, {@link #headerEncodeDecode} under 50 ns, AES-GCM sealing at 1 GB/s per core or more
 * ({@link #sealFullDatagram}: bytes per second = ops/s x {@link #FULL_PAYLOAD}).
 *
 * <p>One datagram buffer (native memory) is reused, as a server reuses its receive buffer. The
 * sealed variants seal and then open the same datagram, so they measure both directions; the
 * sealer's sequence keeps increasing, so the opener's replay window accepts every datagram.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NvspCodecBenchmark {
    /** Data bytes of the write fragment. */
    static final int WRITE_DATA = 1024;
    /** Payload of a full default-size protected datagram. */
    static final int FULL_PAYLOAD = FrameHeader.DEFAULT_MAX_DATAGRAM - FrameHeader.LENGTH - FrameHeader.TAG_LENGTH;

    private final FrameHeader frameOut = new FrameHeader();
    private final FrameHeader frameIn = new FrameHeader();
    private final BlockRequest readOut = new BlockRequest();
    private final BlockRequest readIn = new BlockRequest();
    private final WriteRequest writeOut = new WriteRequest();
    private final WriteRequest writeIn = new WriteRequest();
    private MemorySegment datagram;
    private MemorySegment data;
    private Sealer sealer;
    private Opener opener;
    private Sealer throughputSealer;

    /** Allocates the buffers and the session crypto. */
    @Setup
    public void setUp() {
        datagram = Arena.ofAuto().allocate(FrameHeader.DEFAULT_MAX_DATAGRAM, 64);
        data = Arena.ofAuto().allocate(WRITE_DATA);
        data.fill((byte) 0x5A);
        SessionKeys keys = SessionKeys.derive(new byte[32], new byte[16], new byte[16], 7);
        sealer = keys.sealer(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED);
        opener = keys.opener(Direction.CLIENT_TO_SERVER, SecurityMode.ENCRYPTED);
        throughputSealer = keys.sealer(Direction.SERVER_TO_CLIENT, SecurityMode.ENCRYPTED);
    }

    private int encodeRead() {
        frameOut.encode(datagram, 0, FrameHeader.DEFAULT_MAX_DATAGRAM).sessionId(7).requestId(42).credits(32);
        int length = readOut.encode(datagram, FrameHeader.LENGTH, 1024, MessageType.READ).volumeId(3)
                .volumeOffset(1L << 20).length(65536).encodedLength();
        return frameOut.payloadLength(length).frameLength();
    }

    private long decodeRead(int frameLength) {
        frameIn.wrap(datagram, 0, frameLength);
        readIn.wrap(datagram, frameIn.payloadOffset(), frameIn.payloadLength());
        return readIn.volumeId() + readIn.volumeOffset() + readIn.length() + frameIn.requestId();
    }

    private int encodeWrite() {
        frameOut.encode(datagram, 0, FrameHeader.DEFAULT_MAX_DATAGRAM).sessionId(7).requestId(43).credits(32);
        writeOut.encode(datagram, FrameHeader.LENGTH, FULL_PAYLOAD, MessageType.WRITE).volumeId(3)
                .volumeOffset(1L << 20).data().put(data, 0, WRITE_DATA);
        return frameOut.payloadLength(writeOut.encodedLength()).frameLength();
    }

    private long decodeWrite(int frameLength) {
        frameIn.wrap(datagram, 0, frameLength);
        writeIn.wrap(datagram, frameIn.payloadOffset(), frameIn.payloadLength()).data().verify();
        return writeIn.volumeId() + writeIn.length() + frameIn.requestId();
    }

    /** Frame header alone: encode five fields, then wrap (validate) and read them back. */
    @Benchmark
    public long headerEncodeDecode() {
        int length = frameOut.encode(datagram, 0, FrameHeader.DEFAULT_MAX_DATAGRAM).sessionId(7).sequence(9)
                .requestId(42).credits(32).payloadLength(28).frameLength();
        frameIn.wrap(datagram, 0, length);
        return frameIn.sessionId() + frameIn.sequence() + frameIn.requestId() + frameIn.credits();
    }

    /** READ request, unprotected: target 0 B/op. */
    @Benchmark
    public long readRequest() {
        return decodeRead(encodeRead());
    }

    /** READ request sealed with AES-256-GCM and opened. */
    @Benchmark
    public long readRequestAesGcm() {
        encodeRead();
        int length = sealer.seal(frameOut);
        opener.open(frameIn.wrap(datagram, 0, length));
        return decodeRead(length);
    }

    /** WRITE of 1,024 data bytes (copy + CRC-32C both ways), unprotected: target 0 B/op. */
    @Benchmark
    public long writeFragment() {
        return decodeWrite(encodeWrite());
    }

    /** WRITE of 1,024 data bytes sealed with AES-256-GCM and opened. */
    @Benchmark
    public long writeFragmentAesGcm() {
        encodeWrite();
        int length = sealer.seal(frameOut);
        opener.open(frameIn.wrap(datagram, 0, length));
        return decodeWrite(length);
    }

    /** Sealing throughput: a full default-size datagram ({@value #FULL_PAYLOAD} payload bytes). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int sealFullDatagram() {
        frameOut.encode(datagram, 0, FrameHeader.DEFAULT_MAX_DATAGRAM).sessionId(7).payloadLength(FULL_PAYLOAD);
        return throughputSealer.seal(frameOut);
    }
}
