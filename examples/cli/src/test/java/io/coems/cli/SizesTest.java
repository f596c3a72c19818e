package io.coems.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizesTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0", "4096, 4096", "512B, 512", "1K, 1024", "1k, 1024", "1KiB, 1024", "1KB, 1000",
            "512M, 536870912", "512MiB, 536870912", "10G, 10737418240", "10g, 10737418240", "10GB, 10000000000",
            "'10 GiB', 10737418240", "1.5TiB, 1649267441664", "1.5 TiB, 1649267441664", "1.5T, 1649267441664",
            "2P, 2251799813685248", "7E, 8070450532247928832", "0.5K, 512", ".5M, 524288", "1.1K, 1127",
            "' 64M ', 67108864"})
    void parsesBinaryAndDecimalUnits(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "G", "10Q", "-1", "1.5.2G", "10 G B", "1i", "1iB", "10Gi", "abc", "1e9", "8E", "9E"})
    void refusesWhatIsNotASize(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void refusesNull() {
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse(null));
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0 B", "1, 1 B", "1023, 1023 B", "1024, 1 KiB", "1536, 1.5 KiB", "536870912, 512 MiB",
            "10737418240, 10 GiB", "1649267441664, 1.5 TiB", "1100585369, 1.02 GiB", "1106127360, 1.03 GiB", "16732389376, 15.6 GiB",
            "1073217536, 1 GiB", "-1536, -1.5 KiB", "9223372036854775807, 8 EiB"})
    void formatsInBinaryUnits(long bytes, String text) {
        assertEquals(text, Sizes.format(bytes));
    }

    @Test
    void formattedSizesReadBackClose() {
        for (long bytes : new long[] {1, 999, 4096, 123_456_789, 10L << 30, 3L << 40, Long.MAX_VALUE / 3}) {
            long back = Sizes.parse(Sizes.format(bytes).replace(" ", ""));
            assertTrue(Math.abs(back - bytes) <= bytes / 100, bytes + " -> " + Sizes.format(bytes) + " -> " + back);
        }
    }
}
