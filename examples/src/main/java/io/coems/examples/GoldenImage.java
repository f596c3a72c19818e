package io.coems.examples;

import io.coems.vvm.BlockImage;
import io.coems.vvm.Volume;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The content of a desktop's system disk, made up and deterministic (seeded): a boot sector,
 * incompressible binaries (kernel, libraries, applications), compressible text (configuration,
 * documentation), 2048 scattered 4 KiB files, and never-written holes between them, at the
 * offsets a disk's partitions would put them.
 */
final class GoldenImage {
    /** The golden volume's virtual size. */
    static final long VOLUME_BYTES = 2L << 30;
    /** Where the operating system's own files end: the area a virus attacks and a revert restores. */
    static final long SYSTEM_END = 224L << 20;
    /** Where the system configuration lives, which clients edit in place. */
    static final long CONFIG = 256L << 20;
    /** The never-written area where clients keep profiles, logs and temporary files. */
    static final long HOME = 1L << 30;

    private static final long MIB = 1L << 20;
    private static final int SMALL_FILE = 4096;
    private static final int SMALL_FILES = 2048;
    private static final long SMALL_AREA = 416L << 20;
    private static final long SMALL_AREA_BYTES = 32L << 20;
    private static final String[] WORDS = {"enable", "path", "user", "timeout", "locale", "driver", "service",
        "network", "cache", "display", "printer", "proxy", "update", "audit", "session", "font", "theme", "policy"};

    /** A written region of the image. */
    record Region(String name, long offset, long length, Kind kind) {
    }

    /** What a region holds. */
    enum Kind {
        /** A master boot record: code, a partition table and the 0x55AA signature. */
        BOOT,
        /** Incompressible bytes, like compiled or already compressed files. */
        BINARY,
        /** Configuration-like lines of text. */
        TEXT,
        /** 4 KiB files at scattered 4 KiB slots of the region. */
        SMALL_FILES
    }

    /** The written regions, in disk order; everything else is a hole. */
    static final List<Region> REGIONS = List.of(
            new Region("boot sector", 0, 512, Kind.BOOT),
            new Region("kernel, initrd", MIB, 48 * MIB, Kind.BINARY),
            new Region("system libraries", 64 * MIB, SYSTEM_END - 64 * MIB, Kind.BINARY),
            new Region("configuration", CONFIG, 16 * MIB, Kind.TEXT),
            new Region("documentation", 288 * MIB, 96 * MIB, Kind.TEXT),
            new Region("small files", SMALL_AREA, SMALL_AREA_BYTES, Kind.SMALL_FILES),
            new Region("applications", 512 * MIB, 64 * MIB, Kind.BINARY));

    private GoldenImage() {
    }

    /** Writes every region into {@code volume}, in writes of at most 1 MiB; returns the bytes written. */
    static long install(Volume volume, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long written = 0;
        for (Region r : REGIONS) {
            switch (r.kind()) {
                case BOOT -> volume.write(r.offset(), bootSector(random));
                case SMALL_FILES -> {
                    long slots = r.length() / SMALL_FILE;
                    for (int i = 0; i < SMALL_FILES; i++) {
                        volume.write(r.offset() + random.nextLong(slots) * SMALL_FILE, text(random, SMALL_FILE));
                    }
                }
                case BINARY, TEXT -> {
                    for (long at = 0; at < r.length(); at += MIB) {
                        int n = (int) Math.min(MIB, r.length() - at);
                        volume.write(r.offset() + at, r.kind() == Kind.TEXT ? text(random, n) : binary(random, n));
                    }
                }
            }
            written += r.kind() == Kind.SMALL_FILES ? (long) SMALL_FILES * SMALL_FILE : r.length();
        }
        return written;
    }

    /** The SHA-256 of the system area, {@code [0, SYSTEM_END)}. */
    static byte[] systemDigest(BlockImage image) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] chunk = new byte[(int) (4 * MIB)];
        for (long at = 0; at < SYSTEM_END; at += chunk.length) {
            image.read(at, chunk);
            sha.update(chunk);
        }
        return sha.digest();
    }

    /** {@code length} incompressible bytes. */
    static byte[] binary(SplittableRandom random, int length) {
        byte[] data = new byte[length];
        random.nextBytes(data);
        return data;
    }

    /** {@code length} bytes of {@code key = value} lines. */
    static byte[] text(SplittableRandom random, int length) {
        StringBuilder s = new StringBuilder(length + 64);
        while (s.length() < length) {
            s.append(WORDS[random.nextInt(WORDS.length)]).append('.').append(WORDS[random.nextInt(WORDS.length)])
                    .append(" = ").append(random.nextInt(100_000)).append('\n');
        }
        s.setLength(length);
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bootSector(SplittableRandom random) {
        byte[] sector = binary(random, 512);
        Arrays.fill(sector, 446, 510, (byte) 0);
        sector[446] = (byte) 0x80;
        sector[450] = (byte) 0x83;
        sector[510] = 0x55;
        sector[511] = (byte) 0xAA;
        return sector;
    }
}
