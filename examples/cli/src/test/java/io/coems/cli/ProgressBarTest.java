package io.coems.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {
    @Test
    void lineShowsBarPercentRateAndEta() {
        assertEquals("[############------------]  50%  128 MiB/256 MiB  64 MiB/s  ETA 0:02",
                ProgressBar.line(128L << 20, 256L << 20, 2_000_000_000L));
        assertEquals("[########################] 100%  256 MiB/256 MiB  64 MiB/s  in 0:04",
                ProgressBar.line(256L << 20, 256L << 20, 4_000_000_000L));
        assertEquals("[------------------------]   0%  0 B/1 GiB  0 B/s  ETA --:--", ProgressBar.line(0, 1L << 30, 0));
        assertTrue(ProgressBar.line(1, 7200, 1_000_000_000L).endsWith("ETA 1:59:59"));
    }

    @Test
    void redrawsAtMostTenTimesASecondAndEndsTheLineWhenComplete() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "import", now::get);
        bar.progress(1, 100);
        now.addAndGet(50_000_000L);
        bar.progress(2, 100);                    // too soon: not drawn
        now.addAndGet(60_000_000L);
        bar.progress(3, 100);
        bar.progress(100, 100);                  // complete: always drawn, ends the line
        bar.progress(100, 100);
        bar.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(3, out.split("\r", -1).length - 1, out);
        assertTrue(out.contains("\rimport [#--"), out);
        assertTrue(out.endsWith("in 0:00" + System.lineSeparator()), out);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), out);
    }
}
