package io.coems.nbd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The numbers of the NBD protocol (NetworkBlockDevice/nbd, doc/proto.md) this gateway speaks,
 * and the layouts of its messages. Every integer is big-endian (network byte order).
 *
 * <h2>Handshake (fixed newstyle)</h2>
 * <pre>
 * S: +----------------------+----------------------+--------+
 *    | NBDMAGIC (u64)       | IHAVEOPT (u64)       | hflags |   hflags u16: FIXED_NEWSTYLE | NO_ZEROES
 *    +----------------------+----------------------+--------+
 * C: +-----------+
 *    | cflags u32|   the same two bits; any other bit set: the server hangs up
 *    +-----------+
 * </pre>
 *
 * <h2>Option request and option reply</h2>
 * <pre>
 * C: +----------------------+-----------+-----------+--------------------+
 *    | IHAVEOPT (u64)       | option u32| length u32| data (length bytes)|
 *    +----------------------+-----------+-----------+--------------------+
 * S: +----------------------+-----------+-----------+-----------+--------------------+
 *    | OPTION_REPLY (u64)   | option u32| type u32  | length u32| data (length bytes)|
 *    +----------------------+-----------+-----------+-----------+--------------------+
 *
 * INFO and GO data:      | name length u32 | name | count u16 | count x info type u16 |
 * REP_INFO data:         | info type u16 | ... | (EXPORT: size u64, transmission flags u16;
 *                          NAME: name; BLOCK_SIZE: minimum u32, preferred u32, maximum u32)
 * REP_SERVER data:       | name length u32 | name |
 * LIST/SET_META_CONTEXT: | name length u32 | name | count u32 | count x (length u32 | query) |
 * REP_META_CONTEXT data: | context id u32 | context name |
 * EXPORT_NAME reply (no option reply header): | size u64 | transmission flags u16 | 124 zeros unless NO_ZEROES |
 * </pre>
 *
 * <h2>Transmission</h2>
 * <pre>
 * C: request (28 bytes), then length bytes of data for WRITE
 *    +------------+--------+--------+--------------+--------------+-----------+
 *    | 0x25609513 | flags  | type   | cookie u64   | offset u64   | length u32|
 *    +------------+--------+--------+--------------+--------------+-----------+
 * S: simple reply (16 bytes), then length bytes of data for a successful READ
 *    +------------+-----------+--------------+
 *    | 0x67446698 | error u32 | cookie u64   |
 *    +------------+-----------+--------------+
 * S: structured reply chunk (20 bytes), then length bytes of payload
 *    +------------+--------+--------+--------------+-----------+
 *    | 0x668e33ef | flags  | type   | cookie u64   | length u32|   flags: DONE on the last chunk
 *    +------------+--------+--------+--------------+-----------+
 *
 * OFFSET_DATA payload:  | offset u64 | data |
 * BLOCK_STATUS payload: | context id u32 | n x (length u32 | status flags u32) |
 * ERROR payload:        | error u32 | message length u16 | message |
 * </pre>
 */
final class Nbd {
    private Nbd() {
    }

    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    // handshake flags (server) and client flags
    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 2;

    // options
    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_STARTTLS = 5;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;
    static final int OPT_LIST_META_CONTEXT = 9;
    static final int OPT_SET_META_CONTEXT = 10;

    // option reply types
    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_META_CONTEXT = 4;
    static final int REP_ERR_UNSUP = 0x8000_0001;
    static final int REP_ERR_POLICY = 0x8000_0002;
    static final int REP_ERR_INVALID = 0x8000_0003;
    static final int REP_ERR_TOO_BIG = 0x8000_0004;
    static final int REP_ERR_UNKNOWN = 0x8000_0006;

    // info types
    static final int INFO_EXPORT = 0;
    static final int INFO_NAME = 1;
    static final int INFO_DESCRIPTION = 2;
    static final int INFO_BLOCK_SIZE = 3;

    // transmission flags
    static final int TF_HAS_FLAGS = 1;
    static final int TF_READ_ONLY = 2;
    static final int TF_SEND_FLUSH = 4;
    static final int TF_SEND_FUA = 8;
    static final int TF_SEND_TRIM = 32;
    static final int TF_SEND_WRITE_ZEROES = 64;
    static final int TF_SEND_DF = 128;
    static final int TF_CAN_MULTI_CONN = 256;
    static final int TF_SEND_CACHE = 1024;

    // commands
    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_CACHE = 5;
    static final int CMD_WRITE_ZEROES = 6;
    static final int CMD_BLOCK_STATUS = 7;

    // command flags
    static final int CMD_FLAG_FUA = 1;
    static final int CMD_FLAG_NO_HOLE = 2;
    static final int CMD_FLAG_DF = 4;
    static final int CMD_FLAG_REQ_ONE = 8;

    // structured reply
    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_BLOCK_STATUS = 5;
    static final int REPLY_TYPE_ERROR = 0x8001;

    // errors
    static final int EPERM = 1;
    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EOVERFLOW = 75;
    static final int ESHUTDOWN = 108;

    // the base:allocation context
    static final String BASE_ALLOCATION = "base:allocation";
    static final int ALLOCATION_CONTEXT_ID = 1;
    static final int STATE_HOLE = 1;
    static final int STATE_ZERO = 2;

    /** Longest option data the server reads; longer options are skipped and refused. */
    static final int MAX_OPTION_BYTES = 64 << 10;

    /** Longest error message sent. */
    static final int MAX_MESSAGE_BYTES = 1024;

    /** {@code message} in UTF-8, cut to at most {@value #MAX_MESSAGE_BYTES} bytes at a character boundary. */
    static byte[] message(String message) {
        byte[] text = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
        if (text.length <= MAX_MESSAGE_BYTES) {
            return text;
        }
        int cut = MAX_MESSAGE_BYTES;
        while (cut > 0 && (text[cut] & 0xC0) == 0x80) {
            cut--; // not inside a UTF-8 sequence
        }
        return Arrays.copyOf(text, cut);
    }
}
