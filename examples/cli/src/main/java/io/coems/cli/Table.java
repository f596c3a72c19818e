package io.coems.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table for people: a header row and rows of cells, each column as wide as its widest cell,
 * two spaces between columns, columns marked numeric aligned right, no trailing spaces. Not
 * thread-safe.
 */
public final class Table {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * A table with these column headers; a header ending in {@code >} marks a column aligned
     * right (the {@code >} is not shown).
     */
    public Table(String... headers) {
        this.headers = new String[headers.length];
        this.right = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            right[i] = headers[i].endsWith(">");
            this.headers[i] = right[i] ? headers[i].substring(0, headers[i].length() - 1) : headers[i];
        }
    }

    /**
     * Adds a row; null cells print as {@code -}.
     *
     * @throws IllegalArgumentException if it has not one cell per column
     */
    public Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.length
                    + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toArray(String[]::new));
        return this;
    }

    /** The number of rows (without the header). */
    public int size() {
        return rows.size();
    }

    /** The table as lines, the header first, each ending in a line separator. */
    public String render() {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, width);
        for (String[] r : rows) {
            line(out, r, width);
        }
        return out.toString();
    }

    private void line(StringBuilder out, String[] cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            String pad = " ".repeat(width[i] - cells[i].length());
            line.append(right[i] ? pad + cells[i] : cells[i] + pad);
        }
        out.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
}
