package io.coems.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes in human units, read and written. Reading follows coreutils ({@code dd}, {@code truncate}):
 * {@code K M G T P E} alone or with {@code iB} are powers of 1024 ({@code 10G} = {@code 10GiB}),
 * with {@code B} powers of 1000 ({@code 10GB}); a plain number or {@code B} is bytes. Case does
 * not matter, a space may separate number and unit, a fraction is rounded up to a whole byte
 * ({@code 1.5TiB}). Writing always uses binary units ({@code 1.5 TiB}).
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*([kmgtpe]?)(i?b?)\\s*",
            Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGTPE";
    private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Sizes() {
    }

    /**
     * The bytes {@code text} stands for.
     *
     * @throws IllegalArgumentException if it is not a size, or more than {@link Long#MAX_VALUE} bytes
     */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no size given");
        }
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 4096, 512M, 10G, 1.5TiB, 20GB)");
        }
        String unit = m.group(2).toUpperCase(Locale.ROOT);
        String suffix = m.group(3).toLowerCase(Locale.ROOT);
        if (unit.isEmpty() && suffix.equals("i") || unit.isEmpty() && suffix.equals("ib")) {
            throw new IllegalArgumentException("'" + text + "' is not a size: 'i' needs a unit before it (KiB, MiB, ...)");
        }
        if (suffix.equals("i")) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write " + unit + "iB or " + unit);
        }
        int power = unit.isEmpty() ? 0 : UNITS.indexOf(unit) + 1;
        BigDecimal base = BigDecimal.valueOf(suffix.equals("b") && power > 0 ? 1000 : 1024);
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(base.pow(power)).setScale(0, RoundingMode.CEILING);
        if (bytes.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large (more than 8 EiB)");
        }
        return bytes.longValueExact();
    }

    /**
     * {@code bytes} for people, in the largest binary unit that leaves at least 1: three
     * significant digits at most, trailing zeros dropped ({@code 512 B}, {@code 1.5 KiB},
     * {@code 10 GiB}, {@code 1.23 TiB}, {@code 123 MiB}); negative values keep their sign.
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            return "-" + format(bytes == Long.MIN_VALUE ? Long.MAX_VALUE : -bytes);
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        int power = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        BigDecimal value = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << (10 * power)));
        int scale = value.compareTo(BigDecimal.TEN) < 0 ? 2 : value.compareTo(BigDecimal.valueOf(100)) < 0 ? 1 : 0;
        BigDecimal rounded = value.setScale(scale, RoundingMode.HALF_UP);
        if (rounded.compareTo(BigDecimal.valueOf(1024)) >= 0 && power < UNITS.length()) {
            rounded = BigDecimal.ONE;
            power++;
        }
        String number = rounded.stripTrailingZeros().toPlainString();
        return number + " " + UNITS.charAt(power - 1) + "iB";
    }
}
