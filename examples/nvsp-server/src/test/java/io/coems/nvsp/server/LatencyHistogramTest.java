package io.coems.nvsp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void percentilesOfAUniformSpreadAreWithinTheBucketPrecision() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long micros = 1; micros <= 1000; micros++) {
            histogram.record(micros * 1000);
        }
        assertEquals(1000, histogram.count());
        assertEquals(1_000_000, histogram.max());
        assertWithin(500_000, histogram.percentile(0.5));
        assertWithin(900_000, histogram.percentile(0.9));
        assertWithin(990_000, histogram.percentile(0.99));
        assertEquals(1_000_000, histogram.percentile(1.0));
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(actual >= expected && actual <= expected * 1.07, actual + " is not within 7 % above " + expected);
    }

    @Test
    void anEmptyHistogramReportsZero() {
        LatencyHistogram histogram = new LatencyHistogram();
        assertEquals(0, histogram.percentile(0.99));
        assertEquals(0, histogram.max());
    }

    @Test
    void aFractionOutsideZeroToOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LatencyHistogram().percentile(1.5));
        assertEquals("percentile fraction 1.5 is not from 0 to 1", e.getMessage());
    }

    @Property(tries = 500)
    void everyValueFallsInABucketWhoseUpperBoundIsAtMostSixPercentAbove(
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long value) {
        int index = LatencyHistogram.index(value);
        long upper = LatencyHistogram.upperBound(index);
        assertTrue(upper >= value, "bucket " + index + " ends at " + upper + " below " + value);
        assertTrue(upper - value <= value / 16 + 1, "bucket " + index + " ends at " + upper + " far above " + value);
        assertTrue(index == 0 || LatencyHistogram.upperBound(index - 1) < value, "an earlier bucket holds " + value);
    }
}
