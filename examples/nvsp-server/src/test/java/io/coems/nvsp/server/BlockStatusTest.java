package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coems.nvsp.Status;
import io.coems.nvsp.client.NvspClient;
import io.coems.nvsp.client.RemoteExtent;
import io.coems.nvsp.frame.FrameHeader;
import io.coems.nvsp.message.BlockStatusResponse;
import io.coems.nvsp.message.MessageType;
import io.coems.vvm.Volume;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BLOCK_STATUS of a volume with more extents than one response carries. */
class BlockStatusTest {
    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void aResponseFitsTheLargestMessageAndTheClientAsksOnUntilTheRangeIsCovered() {
        try (NvspFixture fixture = new NvspFixture(dir.resolve("pool"), UnaryOperator.identity())) {
            int dataBlocks = RequestExecutor.MAX_EXTENTS / 2 + 100;
            NvspFixture.Member member = fixture.member("patchy", 2L * BLOCK * dataBlocks, false);
            fixture.start();
            Volume volume = fixture.pool.volume(member.volumeId());
            byte[] data = new byte[4096];
            data[0] = 1;
            for (long offset = 0; offset < volume.size(); offset += 2 * BLOCK) {
                volume.write(offset, data);
            }
            try (RawPeer peer = RawPeer.connected(fixture.server.address(), member.id(), member.key())) {
                byte[] response = peer.call(RawPeer.block(MessageType.BLOCK_STATUS, volume.id(), 0, volume.size(), 0));
                assertEquals(MessageType.BLOCK_STATUS_RESPONSE, RawPeer.type(response));
                assertEquals(Status.OK, RawPeer.status(response));
                assertTrue(response.length <= FrameHeader.MAX_MESSAGE, response.length + " bytes");
                assertEquals(RequestExecutor.MAX_EXTENTS,
                        new BlockStatusResponse().wrap(MemorySegment.ofArray(response), 0, response.length).entryCount());
            }
            NvspClient client = fixture.connect(member);
            List<RemoteExtent> extents = client.volume(volume.id()).blockStatus(0, volume.size());
            assertEquals(2 * dataBlocks, extents.size());
            assertEquals(volume.size(), extents.getLast().offset() + extents.getLast().length());
        }
    }
}
