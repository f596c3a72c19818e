/**
 * The Network Volume Service Protocol codec. Depends on the JDK only.
 * Its messages and framing arrive with the NVSP codec issue.
 */
module io.coems.nvsp {
}
