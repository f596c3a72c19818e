package io.coems.cli;

import io.coems.matrix.ProgressListener;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the command writes: results on standard output (text for people or one JSON document
 * for scripts), errors and progress bars on standard error. The only class of the CLI that
 * touches {@code System.out} and {@code System.err}. Used by one thread.
 */
public final class Output {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean stderrTerminal;
    private boolean json;
    private boolean verbose;
    private boolean progress;

    /**
     * Output on {@code out} and {@code err}; {@code stderrTerminal} says whether standard error is a
     * terminal, where progress bars are drawn by default.
     */
    public Output(PrintStream out, PrintStream err, boolean stderrTerminal) {
        this.out = out;
        this.err = err;
        this.stderrTerminal = stderrTerminal;
    }

    /**
     * The process's standard output and error; standard error counts as a terminal when the
     * launcher says so (system property {@code coems.stderr.tty=true}, set from {@code [ -t 2 ]}).
     */
    public static Output system() {
        return new Output(System.out, System.err, Boolean.getBoolean("coems.stderr.tty"));
    }

    /** Standard output, for picocli's help and usage text. */
    PrintStream out() {
        return out;
    }

    /** Standard error, for picocli's messages. */
    PrintStream err() {
        return err;
    }

    void json(boolean on) {
        json = on;
    }

    void verbose(boolean on) {
        verbose = on;
    }

    void progress(boolean on) {
        progress = on;
    }

    /** Whether results are written as JSON. */
    public boolean json() {
        return json;
    }

    /** Whether errors carry their causes. */
    public boolean verbose() {
        return verbose;
    }

    /** Writes {@code value} as one JSON document and a newline. */
    public void writeJson(Object value) {
        out.println(Json.write(value));
        out.flush();
    }

    /** Writes a line of text for people. */
    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Writes a table for people. */
    public void table(Table table) {
        out.print(table.render());
        out.flush();
    }

    /**
     * Writes an error as one line on standard error, {@code coems: message}; in verbose mode
     * followed by one line per cause of {@code failure} (which may be null).
     */
    public void error(String message, Throwable failure) {
        err.println("coems: " + oneLine(message));
        if (verbose && failure != null) {
            List<Throwable> seen = new ArrayList<>();
            for (Throwable t = failure; t != null && !seen.contains(t); t = t.getCause()) {
                seen.add(t);
                err.println("  " + (t == failure ? "error: " : "caused by: ") + t.getClass().getName()
                        + (t.getMessage() == null ? "" : ": " + oneLine(t.getMessage())));
            }
        }
        err.flush();
    }

    /**
     * A progress listener for a transfer named {@code label}: a {@link ProgressBar} on standard
     * error if it is a terminal or {@code --progress} was given, else one that shows nothing;
     * never with {@code --json}.
     */
    public ProgressBar progressBar(String label) {
        return json || !(progress || stderrTerminal) ? null : new ProgressBar(err, label, System::nanoTime);
    }

    /** {@link #progressBar} or {@link ProgressListener#NONE}. */
    static ProgressListener listener(ProgressBar bar) {
        return bar == null ? ProgressListener.NONE : bar;
    }

    private static String oneLine(String message) {
        return message == null ? "failed" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
