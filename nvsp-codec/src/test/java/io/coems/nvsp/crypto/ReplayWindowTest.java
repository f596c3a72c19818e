package io.coems.nvsp.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The bitmap window answers exactly like a model that remembers every sequence it accepted. */
class ReplayWindowTest {
    @Property(tries = 300)
    void behavesLikeTheModel(@ForAll @Size(max = 400) List<@LongRange(max = 700) Long> steps,
            @ForAll @LongRange(min = 0, max = 8) long base) {
        checkAgainstTheModel(steps, base << 60);
    }

    /** Sequences from 2^63 - 350 to 2^63 + 350: the window slides across the sign bit of a long. */
    @Property(tries = 100)
    void behavesLikeTheModelAcross2To63(@ForAll @Size(max = 400) List<@LongRange(max = 700) Long> steps) {
        checkAgainstTheModel(steps, Long.MIN_VALUE - 350);
    }

    /** Step 0 stands for sequence 0; step k for sequence origin + k. */
    private static void checkAgainstTheModel(List<Long> steps, long origin) {
        ReplayWindow window = new ReplayWindow(128);
        Set<Long> accepted = new HashSet<>();
        long highest = 0;
        for (long step : steps) {
            long sequence = step == 0 ? 0 : origin + step;
            boolean expected = sequence != 0 && !accepted.contains(sequence)
                    && (Long.compareUnsigned(sequence, highest) > 0 || highest - sequence < 128);
            assertEquals(expected, window.isFresh(sequence), "sequence " + Long.toUnsignedString(sequence));
            assertEquals(expected, window.accept(sequence), "sequence " + Long.toUnsignedString(sequence));
            if (expected) {
                accepted.add(sequence);
                highest = Long.compareUnsigned(sequence, highest) > 0 ? sequence : highest;
            }
        }
        assertEquals(highest, window.highest());
    }

    @Property(tries = 50)
    void worksAtTheTopOfTheUnsignedRange(@ForAll @LongRange(min = 1, max = 100) long below) {
        ReplayWindow window = new ReplayWindow(64);
        long top = -below;
        window.accept(top);
        assertEquals(below > 1, window.isFresh(-1L));
        assertFalse(window.isFresh(top));
        assertTrue(window.isFresh(top - 63));
        assertFalse(window.isFresh(top - 64));
    }
}
