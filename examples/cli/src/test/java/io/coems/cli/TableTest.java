package io.coems.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TableTest {
    private static final String NL = System.lineSeparator();

    @Test
    void alignsColumnsLeftAndNumericColumnsRight() {
        Table t = new Table("NAME", "SIZE>", "CLIENT")
                .row("golden", "20 GiB", "pc-01")
                .row("a", "512 B", null);
        assertEquals(""
                + "NAME      SIZE  CLIENT" + NL
                + "golden  20 GiB  pc-01" + NL
                + "a        512 B  -" + NL, t.render());
        assertEquals(2, t.size());
    }

    @Test
    void headerAloneWhenEmptyAndNoTrailingSpaces() {
        assertEquals("A  LONGER" + NL, new Table("A", "LONGER").render());
        assertEquals("X  Y" + NL + "1" + NL, new Table("X", "Y").row(1, "").render());
    }

    @Test
    void refusesRowsOfTheWrongWidth() {
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
    }
}
