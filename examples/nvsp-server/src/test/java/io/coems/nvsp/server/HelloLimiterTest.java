package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class HelloLimiterTest {
    @Test
    void oneSourceGetsItsBurstThenWaitsWhileOthersGoOn() throws UnknownHostException {
        long now = 0;
        HelloLimiter limiter = new HelloLimiter(now);
        InetAddress flooder = InetAddress.getByName("192.0.2.1");
        InetAddress other = InetAddress.getByName("192.0.2.2");
        int answered = 0;
        while (limiter.allow(flooder, now)) {
            answered++;
        }
        assertEquals(HelloLimiter.PER_SOURCE / 10, answered, "answered in a burst");
        assertTrue(limiter.allow(other, now), "another source was refused");
        assertFalse(limiter.allow(flooder, now));
        assertTrue(limiter.allow(flooder, now + 1_000_000L), "no HELLO a millisecond later");
        assertFalse(limiter.allow(flooder, now + 1_000_000L), "more than the rate");
    }
}
