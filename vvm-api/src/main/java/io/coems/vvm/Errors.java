package io.coems.vvm;

import io.coems.matrix.MatrixException;
import io.coems.sfs.SfsArgumentException;
import io.coems.sfs.SfsClosedException;
import io.coems.sfs.SfsCorruptException;
import io.coems.sfs.SfsException;
import io.coems.sfs.SfsFormatException;
import io.coems.sfs.SfsNoSpaceException;
import io.coems.sfs.SfsNotFoundException;

/** Turns the exceptions of the layers below into this API's, keeping them as the cause. */
final class Errors {
    private Errors() {
    }

    /** The pool exception for {@code e}, its message prefixed with what was being done. */
    static PoolException translate(String doing, RuntimeException e) {
        String message = doing + ": " + e.getMessage();
        return switch (e) {
            case PoolException p -> p;
            case SfsNoSpaceException s -> new PoolNoSpaceException(message, s);
            case SfsArgumentException s -> new PoolArgumentException(message, s);
            case SfsNotFoundException s -> new PoolNotFoundException(message, s);
            case SfsClosedException s -> new PoolClosedException(message, s);
            case SfsCorruptException s -> new PoolCorruptException(message, s);
            case SfsFormatException s -> new PoolFormatException(message, s);
            case SfsException s -> new PoolIoException(message, s);
            case MatrixException m -> new PoolIoException(message, m);
            default -> throw e;
        };
    }
}
