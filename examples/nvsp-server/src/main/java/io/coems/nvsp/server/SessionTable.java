package io.coems.nvsp.server;

import java.util.ArrayList;
import java.util.List;

/**
 * The sessions by id: an open-addressing hash table of primitive keys, so looking a session up
 * for every datagram allocates nothing. Session ids are never 0, which marks an empty slot. Not
 * thread-safe: the receive thread owns it.
 */
final class SessionTable {
    private long[] keys = new long[64];
    private Session[] values = new Session[64];
    private final List<Session> all = new ArrayList<>();

    /** The session with that id, or null. */
    Session get(long id) {
        int mask = keys.length - 1;
        for (int i = index(id, mask); keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == id) {
                return values[i];
            }
        }
        return null;
    }

    /** Adds a session whose id is not in the table. */
    void put(Session session) {
        if ((all.size() + 1) * 2 > keys.length) {
            grow();
        }
        insert(session);
        all.add(session);
    }

    /** Removes the session with that id, if present. */
    void remove(long id) {
        int mask = keys.length - 1;
        int i = index(id, mask);
        while (keys[i] != id) {
            if (keys[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        all.remove(values[i]);
        keys[i] = 0;
        values[i] = null;
        // Shift back the entries that probed past the freed slot.
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = index(keys[j], mask);
            boolean movable = i <= j ? home <= i || home > j : home <= i && home > j;
            if (movable) {
                keys[i] = keys[j];
                values[i] = values[j];
                keys[j] = 0;
                values[j] = null;
                i = j;
            }
        }
    }

    /** A copy of every session. */
    List<Session> all() {
        return new ArrayList<>(all);
    }

    private void insert(Session session) {
        int mask = keys.length - 1;
        int i = index(session.id, mask);
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = session.id;
        values[i] = session;
    }

    private void grow() {
        keys = new long[keys.length * 2];
        values = new Session[values.length * 2];
        for (Session session : all) {
            insert(session);
        }
    }

    private static int index(long id, int mask) {
        long mixed = id * 0x9E3779B97F4A7C15L;
        return (int) (mixed ^ (mixed >>> 32)) & mask;
    }
}
