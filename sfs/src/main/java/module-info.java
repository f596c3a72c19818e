/**
 * The Super File System: vnodes and descriptors on the Storage Matrix.
 * Its format and API arrive with the SFS issue; the module exists so the module graph
 * (matrix &lt;- sfs &lt;- vvm-api) is fixed from the start.
 */
module io.coems.sfs {
    requires transitive io.coems.matrix;
}
