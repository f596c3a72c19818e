package io.coems.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/** Small helpers the demos share: timing, digests for people, and cleaning up a directory. */
final class DemoSupport {
    private DemoSupport() {
    }

    /** Seconds since {@code startNanos} (a {@link System#nanoTime()} reading). */
    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The first 8 bytes of {@code digest} in hex, for a line of output. */
    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest, 0, 8) + "...";
    }

    /** Deletes {@code dir} and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
