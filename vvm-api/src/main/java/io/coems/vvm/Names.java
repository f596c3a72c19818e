package io.coems.vvm;

import java.nio.charset.StandardCharsets;

/** The rules for names of volumes, snapshots, clients, and attribute keys. */
final class Names {
    /** Longest name, in UTF-8 bytes. */
    static final int MAX_BYTES = 255;

    private Names() {
    }

    /**
     * Returns {@code name} if it is a valid name of a {@code what}: 1 to {@value #MAX_BYTES}
     * UTF-8 bytes, no control characters, valid Unicode.
     *
     * @throws PoolArgumentException naming the value and the rule it breaks
     */
    static String check(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new PoolArgumentException("a " + what + " name must not be " + (name == null ? "null" : "empty"));
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new PoolArgumentException("the " + what + " name \"" + name.substring(0, name.offsetByCodePoints(0, Math.min(20, name.codePointCount(0, name.length())))) + "...\" is " + bytes
                    + " bytes long; the limit is " + MAX_BYTES + " bytes of UTF-8");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new PoolArgumentException("the " + what + " name " + quoted(name)
                        + " contains the control character U+" + String.format("%04X", (int) name.charAt(i)));
            }
        }
        return checkUnicode(name, "the " + what + " name");
    }

    /**
     * Returns {@code text} if it is valid Unicode, which UTF-8 stores unchanged.
     *
     * @throws PoolArgumentException naming {@code what} and the unpaired surrogate, which UTF-8
     *                               would store as "?"
     */
    static String checkUnicode(String text, String what) {
        int bad = text.codePoints().filter(Names::isSurrogate).findFirst().orElse(-1);
        if (bad >= 0) {
            throw new PoolArgumentException(what + " " + quoted(text) + " contains the unpaired surrogate U+"
                    + String.format("%04X", bad) + ", which UTF-8 cannot store");
        }
        return text;
    }

    private static boolean isSurrogate(int codePoint) {
        return codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE;
    }

    /** {@code name} in quotes, control characters escaped, for messages. */
    static String quoted(String name) {
        StringBuilder out = new StringBuilder("\"");
        name.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || isSurrogate(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }
}
