/**
 * The Super File System: vnodes with owner-bit block maps and typed descriptors on the
 * Storage Matrix. {@code io.coems.sfs} is the API; {@code io.coems.sfs.format} the on-disk
 * layouts; {@code io.coems.sfs.engine} (internal) the engine.
 */
module io.coems.sfs {
    requires transitive io.coems.matrix;
    requires org.slf4j;

    exports io.coems.sfs;
    exports io.coems.sfs.format;
}
