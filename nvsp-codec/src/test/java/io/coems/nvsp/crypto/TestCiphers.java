package io.coems.nvsp.crypto;

import io.coems.nvsp.SecurityMode;

/**
 * Test helper: sealers and openers outside a session, for the golden vectors and the test
 * receive path. Production code gets them only from {@link SessionKeys}.
 */
public final class TestCiphers {
    private TestCiphers() {
    }

    /** Returns a sealer with a sequence of its own, starting at {@code firstSequence}. */
    public static Sealer sealer(TrafficKey key, SecurityMode mode, long firstSequence) {
        return new Sealer(key, mode, firstSequence);
    }

    /** Returns an opener with a fresh replay window of its own. */
    public static Opener opener(TrafficKey key, SecurityMode mode) {
        return new Opener(key, mode, new ReplayWindow(64));
    }
}
