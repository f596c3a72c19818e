package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.coems.nvsp.SecurityMode;
import io.coems.nvsp.crypto.SessionKeys;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SessionTableTest {
    private static final SessionKeys KEYS = SessionKeys.derive(new byte[32], new byte[16], new byte[16], 1);
    private static final ClientState CLIENT = new ClientState(1, "c", 1, 0, 0, 0);

    private static Session session(long id) {
        return new Session(id, CLIENT, KEYS, SecurityMode.ENCRYPTED, 1408, 1, new byte[0], null, new byte[32],
                new InetSocketAddress(0), 1, 0);
    }

    /** Operations: a positive value puts that id (small ids collide often), a negative one removes it. */
    @Property(tries = 300)
    void behavesLikeAMap(@ForAll @Size(max = 400) List<@IntRange(min = -200, max = 200) Integer> operations) {
        SessionTable table = new SessionTable();
        Map<Long, Session> expected = new HashMap<>();
        for (int operation : operations) {
            long id = Math.abs(operation) * 64L + 1;
            if (operation > 0 && !expected.containsKey(id)) {
                Session session = session(id);
                table.put(session);
                expected.put(id, session);
            } else if (operation < 0) {
                table.remove(id);
                expected.remove(id);
            }
            assertEquals(expected.size(), table.all().size());
        }
        for (long id = 1; id <= 201 * 64L; id += 64) {
            assertSame(expected.get(id), table.get(id), "session " + id);
        }
    }
}
