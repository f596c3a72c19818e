/**
 * The façade users embed: VolumePool and ClientManager.
 * Its API arrives with the VolumePool issue; the module exists so the module graph
 * (matrix &lt;- sfs &lt;- vvm-api) is fixed from the start.
 */
module io.coems.vvm {
    requires transitive io.coems.sfs;
}
