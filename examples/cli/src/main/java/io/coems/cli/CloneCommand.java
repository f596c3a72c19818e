package io.coems.cli;

import io.coems.vvm.Snapshot;
import io.coems.vvm.Volume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code coems clone VOLUME@SNAPSHOT NAME}: a writable volume sharing every block with a snapshot. */
@Command(name = "clone", description = "Create a writable volume that shares every block with a snapshot (O(1)).")
final class CloneCommand implements Callable<Integer> {
    @ParentCommand
    private Coems coems;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VOLUME@SNAPSHOT", description = "The snapshot to clone.")
    private String source;

    @Parameters(index = "1", paramLabel = "NAME", description = "The new volume's name.")
    private String name;

    @Override
    public Integer call() {
        return coems.withPool(spec, pool -> {
            Snapshot s = Coems.snapshotRef(spec, pool, source);
            Volume v = pool.clone(s, name);
            if (coems.output().json()) {
                coems.output().writeJson(VolumeCommand.view(pool, v));
            } else {
                coems.output().line("cloned " + VolumeCommand.ref(pool, s) + " as volume " + v.name() + " ("
                        + Sizes.format(v.size()) + ", id " + Coems.id(v.id()) + ")");
            }
            return 0;
        });
    }
}
