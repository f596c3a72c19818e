/** Runnable programs built on COEMS: the demo, later the CLI and the reference servers. */
module io.coems.examples {
    requires io.coems.matrix;
    requires io.coems.vvm;
}
