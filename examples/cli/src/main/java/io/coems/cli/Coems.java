package io.coems.cli;

import io.coems.vvm.PoolException;
import io.coems.vvm.PoolNotFoundException;
import io.coems.vvm.PoolOptions;
import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import io.coems.vvm.VolumePool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * The {@code coems} command: global options and the subcommands. {@link #main} runs it and exits
 * with 0 when the operation succeeded, 1 when it failed, 2 for a usage error.
 */
@Command(name = "coems", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = Coems.Version.class,
        description = "Manage a COEMS pool of thin copy-on-write volumes: volumes, snapshots, clones, clients; serve them over NBD; benchmark.",
        subcommands = {PoolCommand.class, VolumeCommand.class, SnapshotCommand.class, CloneCommand.class,
                ClientCommand.class, ServeCommand.class, BenchCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Sizes take units: 4096, 512M, 10G, 1.5TiB (binary), 20GB (decimal).",
                "Exit codes: 0 ok, 1 operation failed, 2 usage error."})
public final class Coems implements Runnable {
    /** Exit code of a failed operation. */
    public static final int FAILED = 1;
    /** Exit code of a usage error. */
    public static final int USAGE = 2;

    private final Output output;

    @Spec
    private CommandSpec spec;

    @Option(names = "--pool", paramLabel = "DIR", scope = ScopeType.INHERIT, defaultValue = "${env:COEMS_POOL}",
            description = "The pool's directory (default: $COEMS_POOL).")
    private Path pool;

    private Coems(Output output) {
        this.output = output;
    }

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Write results as JSON, for scripts.")
    private void json(boolean on) {
        output.json(on);
    }

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Add the causes to error messages.")
    private void verbose(boolean on) {
        output.verbose(on);
    }

    @Option(names = "--progress", scope = ScopeType.INHERIT,
            description = "Draw progress bars even when standard error is not a terminal (never with --json).")
    private void progress(boolean on) {
        output.progress(on);
    }

    /** Runs the command line {@code args} and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(run(Output.system(), args));
    }

    /** Runs the command line {@code args} writing to {@code output}; returns the exit code. */
    public static int run(Output output, String... args) {
        return commandLine(output).execute(args);
    }

    /** The picocli command line of {@code coems} writing to {@code output}, with its error handlers. */
    static CommandLine commandLine(Output output) {
        CommandLine cli = new CommandLine(new Coems(output));
        cli.setOut(new java.io.PrintWriter(output.out(), true));
        cli.setErr(new java.io.PrintWriter(output.err(), true));
        cli.setExitCodeExceptionMapper(e -> e instanceof ParameterException ? USAGE : FAILED);
        cli.setParameterExceptionHandler((e, args) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            output.error(e.getMessage() + " (see '" + command + " --help')", e.getCause());
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            output.error(message(e), e);
            return FAILED;
        });
        return cli;
    }

    private static String message(Exception e) {
        if (e instanceof PoolException || e instanceof Failure) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command");
    }

    /** Where results go. */
    Output output() {
        return output;
    }

    /**
     * The pool directory given by {@code --pool} or {@code COEMS_POOL}.
     *
     * @throws ParameterException if neither names one (a usage error)
     */
    Path poolDirectory(CommandSpec of) {
        if (pool == null || pool.toString().isBlank()) {
            throw usage(of, "no pool: pass --pool DIR or set COEMS_POOL");
        }
        return pool;
    }

    /**
     * A usage error of the subcommand being run (the deepest one parsed, so that the message
     * points to its {@code --help}), found from {@code of}, any command on the way to it.
     */
    static ParameterException usage(CommandSpec of, String message) {
        CommandLine.ParseResult parsed = of.root().commandLine().getParseResult();
        while (parsed != null && parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return new ParameterException(parsed == null ? of.commandLine() : parsed.commandSpec().commandLine(), message);
    }

    /** Opens the pool, runs {@code work} on it and closes it; returns {@code work}'s exit code. */
    int withPool(CommandSpec of, Function<VolumePool, Integer> work) {
        return withPool(of, PoolOptions.defaults(), work);
    }

    /** {@link #withPool(CommandSpec, Function)} with the pool opened with {@code options}. */
    int withPool(CommandSpec of, PoolOptions options, Function<VolumePool, Integer> work) {
        try (VolumePool p = VolumePool.open(poolDirectory(of), options)) {
            return work.apply(p);
        }
    }

    /**
     * The snapshot {@code ref} names: {@code VOLUME@SNAPSHOT}.
     *
     * @throws ParameterException if it has no {@code @}
     * @throws PoolNotFoundException if the volume or snapshot does not exist
     */
    static Snapshot snapshotRef(CommandSpec of, VolumePool pool, String ref) {
        int at = ref.lastIndexOf('@');
        if (at <= 0 || at == ref.length() - 1) {
            throw usage(of, "'" + ref + "' does not name a snapshot: write VOLUME@SNAPSHOT");
        }
        return snapshot(pool.volume(ref.substring(0, at)), ref.substring(at + 1));
    }

    /**
     * The snapshot of {@code volume} named {@code name}.
     *
     * @throws PoolNotFoundException if there is none
     */
    static Snapshot snapshot(Volume volume, String name) {
        return volume.findSnapshot(name).orElseThrow(() -> new PoolNotFoundException(
                "volume \"" + volume.name() + "\" has no snapshot named \"" + name + "\""));
    }

    /** An id for people: the descriptor index and generation, {@code 12:1}. */
    static String id(long id) {
        return (id >>> 32) + ":" + Integer.toUnsignedString((int) id);
    }

    /** An operation that failed for a reason of the command's own (exit code 1). */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Coems.class.getPackage().getImplementationVersion();
            return new String[] {"coems " + (v == null ? "development" : v)};
        }
    }
}
