package io.coems.nvsp.message;

import java.util.HexFormat;
import java.util.function.Consumer;

/** Hex text of byte-array fields, for the descriptions {@link Message#toString()} builds. */
final class Hex {
    private Hex() {
    }

    static String of(Consumer<byte[]> field, int length) {
        byte[] bytes = new byte[length];
        field.accept(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
