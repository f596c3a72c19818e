package io.coems.nbd;

import io.coems.vvm.PoolOptions;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire protocol, spoken by a tiny Java client: handshake, options, every command, bad requests. */
@Timeout(60)
class NbdProtocolTest {
    static final long SIZE = 8L << 20;

    @TempDir
    Path dir;
    VolumePool pool;
    Volume disk;
    NbdServer server;
    byte[] snapshotContent = new byte[4096];

    @BeforeEach
    void start() {
        pool = VolumePool.create(dir.resolve("pool"), PoolOptions.defaults().withFileBytes(PoolOptions.MIN_FILE_BYTES)
                .withMaxBytes(256L << 20).withCommitMillis(0));
        disk = pool.createVolume("disk", SIZE);
        new Random(1).nextBytes(snapshotContent);
        disk.write(0, snapshotContent);
        disk.snapshot("base");
        disk.write(0, new byte[4096]);
        server = NbdServer.builder(pool).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    @Test
    void handshakeOffersFixedNewstyleAndListsVolumesAndSnapshots() throws IOException {
        try (TestClient c = new TestClient(server.port())) {
            assertEquals(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES, c.handshakeFlags);
            List<TestClient.OptionReply> replies = c.option(Nbd.OPT_LIST, new byte[0]);
            List<String> names = replies.stream().filter(r -> r.type() == Nbd.REP_SERVER).map(r -> {
                ByteBuffer b = r.buffer();
                byte[] name = new byte[b.getInt()];
                b.get(name);
                return new String(name, StandardCharsets.UTF_8);
            }).toList();
            assertEquals(List.of("disk", "disk@base"), names);
            assertEquals(Nbd.REP_ACK, replies.getLast().type());
            assertEquals(names, server.exports());
            // LIST with data is invalid, and the session goes on
            assertEquals(Nbd.REP_ERR_INVALID, c.option(Nbd.OPT_LIST, new byte[1]).getLast().type());
            assertEquals(Nbd.REP_ACK, c.option(Nbd.OPT_ABORT, new byte[0]).getLast().type());
            assertEquals(-1, c.in.read());
        }
    }

    @Test
    void infoTellsSizeFlagsNameAndBlockSizesThenGoServes() throws IOException {
        try (TestClient c = new TestClient(server.port())) {
            List<TestClient.OptionReply> info = c.option(Nbd.OPT_INFO,
                    TestClient.goData("disk", Nbd.INFO_NAME, Nbd.INFO_BLOCK_SIZE, Nbd.INFO_DESCRIPTION));
            assertEquals(Nbd.REP_ACK, info.getLast().type());
            ByteBuffer export = info.getFirst().buffer();
            assertEquals(Nbd.INFO_EXPORT, export.getShort());
            assertEquals(SIZE, export.getLong());
            int flags = Short.toUnsignedInt(export.getShort());
            int expected = Nbd.TF_HAS_FLAGS | Nbd.TF_SEND_FLUSH | Nbd.TF_SEND_FUA | Nbd.TF_SEND_TRIM
                    | Nbd.TF_SEND_WRITE_ZEROES | Nbd.TF_CAN_MULTI_CONN | Nbd.TF_SEND_CACHE;
            assertEquals(expected, flags);
            boolean sawName = false;
            boolean sawBlockSize = false;
            for (TestClient.OptionReply r : info.subList(1, info.size() - 1)) {
                ByteBuffer b = r.buffer();
                int type = b.getShort();
                if (type == Nbd.INFO_NAME) {
                    assertEquals("disk", StandardCharsets.UTF_8.decode(b).toString());
                    sawName = true;
                } else if (type == Nbd.INFO_BLOCK_SIZE) {
                    assertEquals(1, b.getInt());
                    assertEquals(64 << 10, b.getInt());
                    assertEquals(NbdServer.DEFAULT_MAX_REQUEST_BYTES, b.getInt());
                    sawBlockSize = true;
                }
            }
            assertTrue(sawName && sawBlockSize);
            // unknown export, unknown option, STARTTLS: errors, and the negotiation goes on
            assertEquals(Nbd.REP_ERR_UNKNOWN, c.option(Nbd.OPT_GO, TestClient.goData("nope")).getLast().type());
            assertEquals(Nbd.REP_ERR_UNSUP, c.option(99, new byte[3]).getLast().type());
            assertEquals(Nbd.REP_ERR_POLICY, c.option(Nbd.OPT_STARTTLS, new byte[0]).getLast().type());
            assertEquals(Nbd.REP_ERR_INVALID, c.option(Nbd.OPT_GO, new byte[] {0, 0, 0, 9, 1}).getLast().type());
            assertEquals(Nbd.REP_ERR_INVALID, c.option(Nbd.OPT_SET_META_CONTEXT,
                    TestClient.metaData("disk", Nbd.BASE_ALLOCATION)).getLast().type()); // before STRUCTURED_REPLY
            c.sendOption(Nbd.OPT_INFO, new byte[0]);
            assertEquals(Nbd.REP_ERR_INVALID, c.optionReply().type());
            assertEquals(SIZE, c.go("disk")[0]);
            assertArrayEquals(new byte[4096], c.read(0, 4096).data());
        }
    }

    @Test
    void everyCommandWithSimpleReplies() throws IOException {
        try (TestClient c = new TestClient(server.port())) {
            c.go("disk");
            byte[] data = new byte[3 * 512];
            new Random(2).nextBytes(data);
            // 512-byte aligned, crossing a 64 KiB block boundary: read-modify-write inside the blocks
            long at = (64 << 10) - 512;
            assertEquals(0, c.write(0, at, data).error());
            assertArrayEquals(data, c.read(at, data.length).data());
            assertArrayEquals(data, read(disk, at, data.length));
            // odd offsets too, and FUA
            assertEquals(0, c.write(Nbd.CMD_FLAG_FUA, 12345, new byte[] {7, 8, 9}).error());
            assertArrayEquals(new byte[] {7, 8, 9}, c.read(12345, 3).data());
            assertEquals(0, c.command(0, Nbd.CMD_FLUSH, 0, 0).error());
            assertEquals(0, c.command(0, Nbd.CMD_CACHE, 0, SIZE).error());
            // TRIM and WRITE_ZEROES read back as zeros
            assertEquals(0, c.command(0, Nbd.CMD_TRIM, at, 512).error());
            assertArrayEquals(new byte[512], c.read(at, 512).data());
            assertEquals(0, c.command(Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE_ZEROES, at + 512, 512).error());
            assertEquals(0, c.command(Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_WRITE_ZEROES, at + 1024, 512).error());
            assertArrayEquals(new byte[data.length], c.read(at, data.length).data());
            // a large write and read, in several pieces of the server's buffer
            byte[] big = new byte[3 << 20];
            new Random(3).nextBytes(big);
            assertEquals(0, c.write(0, 1 << 20, big).error());
            assertArrayEquals(big, c.read(1 << 20, big.length).data());
            // DISC: no reply, the server hangs up
            c.request(0, Nbd.CMD_DISC, 0, 0, null);
            assertEquals(-1, c.in.read());
        }
    }

    @Test
    void structuredRepliesReadsAndBlockStatus() throws IOException {
        disk.writeZeroes(0, SIZE);
        try (TestClient c = new TestClient(server.port())) {
            long[] go = c.goStructured("disk");
            assertTrue((go[1] & Nbd.TF_SEND_DF) != 0);
            byte[] data = new byte[5000];
            new Random(4).nextBytes(data);
            assertEquals(0, c.write(0, 1 << 20, data).error());
            assertArrayEquals(data, c.read(1 << 20, data.length).data());
            byte[] big = new byte[(2 << 20) + 100];
            new Random(5).nextBytes(big);
            assertEquals(0, c.write(0, 3 << 20, big).error());
            assertArrayEquals(big, c.read(3 << 20, big.length).data());
            // DF: one chunk up to 1 MiB
            assertArrayEquals(data, c.reply(c.request(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 1 << 20, data.length, null),
                    1 << 20, data.length).data());

            TestClient.Reply status = c.command(0, Nbd.CMD_BLOCK_STATUS, 0, SIZE);
            assertEquals(0, status.error());
            long holeZero = Nbd.STATE_HOLE | Nbd.STATE_ZERO;
            long dataEnd = (3L << 20) + big.length + (64 << 10) - 1 & -(64L << 10);
            assertDescriptors(List.of(new long[] {1 << 20, holeZero}, new long[] {64 << 10, 0},
                    new long[] {(3 << 20) - (1 << 20) - (64 << 10), holeZero}, new long[] {dataEnd - (3 << 20), 0},
                    new long[] {SIZE - dataEnd, holeZero}), status.descriptors());
            // REQ_ONE, and a range starting inside data
            assertDescriptors(List.of(new long[] {1 << 20, holeZero}),
                    c.command(Nbd.CMD_FLAG_REQ_ONE, Nbd.CMD_BLOCK_STATUS, 0, SIZE).descriptors());
            assertDescriptors(List.of(new long[] {100, 0}),
                    c.command(0, Nbd.CMD_BLOCK_STATUS, (1 << 20) + 10, 100).descriptors());
            // errors come as error chunks
            TestClient.Reply bad = c.command(0, Nbd.CMD_BLOCK_STATUS, SIZE, 1);
            assertEquals(Nbd.EINVAL, bad.error());
            assertTrue(bad.message().contains("not inside"), bad.message());
            assertEquals(Nbd.EOVERFLOW, c.reply(c.request(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 0, 2 << 20, null), 0, 0).error());
            assertEquals(0, c.command(0, Nbd.CMD_FLUSH, 0, 0).error());
        }
    }

    @Test
    void badRequestsAreAnsweredAndTheConnectionStaysUsable() throws IOException {
        try (TestClient c = new TestClient(server.port())) {
            c.go("disk");
            assertEquals(Nbd.EINVAL, c.command(0, 42, 0, 0).error(), "unknown command");
            assertEquals(Nbd.EINVAL, c.command(0x80, Nbd.CMD_FLUSH, 0, 0).error(), "unknown flag");
            assertEquals(Nbd.EINVAL, c.command(Nbd.CMD_FLAG_DF, Nbd.CMD_READ, 0, 512).error(), "DF without structured replies");
            assertEquals(Nbd.EINVAL, c.read(SIZE - 100, 512).error(), "read past the end");
            assertEquals(Nbd.EINVAL, c.read(-512, 512).error(), "offset 2^64 - 512");
            assertEquals(Nbd.ENOSPC, c.write(0, SIZE, new byte[512]).error(), "write past the end");
            assertEquals(Nbd.ENOSPC, c.command(0, Nbd.CMD_TRIM, SIZE - 1, 2).error(), "trim past the end");
            assertEquals(Nbd.EINVAL, c.command(0, Nbd.CMD_CACHE, SIZE, 1).error(), "cache past the end");
            assertEquals(Nbd.EINVAL, c.command(0, Nbd.CMD_BLOCK_STATUS, 0, 512).error(), "no meta context");
            // 4 GiB - 1 READ: refused before any buffer, no OutOfMemoryError with a 2 GiB heap
            assertEquals(Nbd.EOVERFLOW, c.read(0, -1).error());
            assertEquals(Nbd.EOVERFLOW, c.read(0, NbdServer.DEFAULT_MAX_REQUEST_BYTES + 1).error());
            // an oversized WRITE: its data is skipped, the stream stays in step
            assertEquals(Nbd.EOVERFLOW, c.write(0, 0, new byte[NbdServer.DEFAULT_MAX_REQUEST_BYTES + 512]).error());
            byte[] data = "still here".getBytes(StandardCharsets.US_ASCII);
            assertEquals(0, c.write(0, 100, data).error());
            assertArrayEquals(data, c.read(100, data.length).data());
        }
    }

    @Test
    void snapshotExportIsReadOnlyAndHoldsTheSnapshotContent() throws IOException {
        try (TestClient c = new TestClient(server.port())) {
            long[] go = c.go("disk@base");
            assertEquals(SIZE, go[0]);
            assertTrue((go[1] & Nbd.TF_READ_ONLY) != 0);
            assertEquals(0, go[1] & (Nbd.TF_SEND_TRIM | Nbd.TF_SEND_WRITE_ZEROES | Nbd.TF_SEND_FUA));
            assertEquals(Nbd.EPERM, c.write(0, 0, new byte[4096]).error());
            assertEquals(Nbd.EPERM, c.command(0, Nbd.CMD_TRIM, 0, 4096).error());
            assertEquals(Nbd.EPERM, c.command(0, Nbd.CMD_WRITE_ZEROES, 0, 4096).error());
            assertArrayEquals(snapshotContent, c.read(0, 4096).data());
            assertArrayEquals(new byte[4096], read(disk, 0, 4096));
            assertEquals(0, c.command(0, Nbd.CMD_FLUSH, 0, 0).error());
        }
    }

    @Test
    void exportNameWithAndWithoutZeroes() throws IOException {
        for (int flags : new int[] {Nbd.FLAG_FIXED_NEWSTYLE, Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES}) {
            try (TestClient c = new TestClient(server.port(), flags)) {
                c.sendOption(Nbd.OPT_EXPORT_NAME, "disk@base".getBytes(StandardCharsets.UTF_8));
                assertEquals(SIZE, c.in.readLong());
                assertTrue((c.in.readUnsignedShort() & Nbd.TF_READ_ONLY) != 0);
                if ((flags & Nbd.FLAG_NO_ZEROES) == 0) {
                    assertArrayEquals(new byte[124], c.in.readNBytes(124));
                }
                assertArrayEquals(snapshotContent, c.read(0, 4096).data());
            }
        }
        try (TestClient c = new TestClient(server.port())) {
            c.sendOption(Nbd.OPT_EXPORT_NAME, "nope".getBytes(StandardCharsets.UTF_8));
            assertEquals(-1, c.in.read(), "an unknown EXPORT_NAME ends the session");
        }
    }

    @Test
    void newSnapshotsAreExportedAndCloseEndsConnections() throws IOException {
        disk.snapshot("later");
        try (TestClient c = new TestClient(server.port()); TestClient idle = new TestClient(server.port())) {
            c.go("disk@later");
            assertArrayEquals(new byte[4096], c.read(0, 4096).data());
            long start = System.nanoTime();
            server.close();
            assertTrue(System.nanoTime() - start < 3_000_000_000L, "close waits for no idle client");
            assertThrows(IOException.class, () -> {
                c.read(0, 512);
                c.read(0, 512);
            });
            assertEquals(-1, readOrEof(idle));
        }
    }

    private static int readOrEof(TestClient c) {
        try {
            return c.in.read();
        } catch (EOFException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static byte[] read(Volume volume, long offset, int length) {
        byte[] out = new byte[length];
        volume.read(offset, out);
        return out;
    }

    private static void assertDescriptors(List<long[]> expected, List<long[]> actual) {
        assertEquals(expected.stream().map(Arrays::toString).toList(), actual.stream().map(Arrays::toString).toList());
    }
}
