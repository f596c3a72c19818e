package io.coems.vvm;

import java.time.Duration;
import java.time.InstantSource;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Grants the pool's {@link Lease} and checks configuration changes against it. Without a
 * lease held, every change is accepted (a single embedded caller needs none); while one is
 * held, only changes that carry its token are. Thread-safe.
 */
final class LeaseKeeper {
    private static final ScopedValue<Long> TOKEN = ScopedValue.newInstance();

    private final InstantSource clock;
    /** Makes a newly issued token durable before it is handed out. */
    private final LongConsumer persist;
    private long lastToken;
    private Lease current;
    private long deadlineMillis;

    LeaseKeeper(InstantSource clock, long lastToken, LongConsumer persist) {
        this.clock = clock;
        this.lastToken = lastToken;
        this.persist = persist;
    }

    synchronized Lease acquire(String holder, Duration idleTimeout) {
        Names.check(holder, "lease holder");
        checkPositive(idleTimeout);
        if (live()) {
            throw new PoolLeaseException("the management lease is held by " + Names.quoted(current.holder())
                    + " (token " + current.token() + ") for another "
                    + (deadlineMillis - clock.millis()) + " ms unless renewed");
        }
        persist.accept(lastToken + 1);
        lastToken++;
        current = new Lease(lastToken, holder, idleTimeout);
        renew();
        return current;
    }

    synchronized Lease renew(long token, Duration idleTimeout) {
        checkPositive(idleTimeout);
        if (!live() || token != current.token()) {
            throw new PoolLeaseException("renewal refused: fencing token " + token + " is not the token of the lease in force"
                    + (live() ? " (" + current.token() + ")" : "; none is, the last token issued is " + lastToken));
        }
        current = new Lease(token, current.holder(), idleTimeout);
        renew();
        return current;
    }

    private static void checkPositive(Duration idleTimeout) {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new PoolArgumentException("lease idle timeout " + idleTimeout + " is not positive");
        }
    }

    synchronized void release(long token) {
        if (current != null && current.token() == token) {
            current = null;
        }
    }

    /** The lease in force, or null. */
    synchronized Lease current() {
        return live() ? current : null;
    }

    /**
     * Accepts a configuration change {@code what}, renewing the lease it runs under.
     *
     * @throws PoolLeaseException if a lease is held and the change does not carry its token
     */
    synchronized void admit(String what) {
        long token = TOKEN.orElse(0L);
        if (!live()) {
            if (token != 0) {
                throw new PoolLeaseException(what + " refused: fencing token " + token + " is stale; "
                        + (current == null || token != current.token() ? "the last token issued is " + lastToken
                        : "its lease lapsed after " + current.idleTimeout().toMillis() + " ms idle"));
            }
            return;
        }
        if (token != current.token()) {
            throw new PoolLeaseException(what + " refused: the management lease is held by "
                    + Names.quoted(current.holder()) + (token == 0 ? " and the call carries no fencing token"
                    : " and fencing token " + token + " is not its token " + current.token()));
        }
        renew();
    }

    /** Moves the deadline to one idle timeout from now; a timeout beyond what a long holds in ms never lapses. */
    private void renew() {
        long idle;
        try {
            idle = current.idleTimeout().toMillis();
        } catch (ArithmeticException tooLong) {
            idle = Long.MAX_VALUE;
        }
        long now = clock.millis();
        deadlineMillis = idle > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + idle;
    }

    /** Runs {@code operation} carrying fencing token {@code token}. */
    static <T> T carrying(long token, Supplier<T> operation) {
        return ScopedValue.where(TOKEN, token).call(operation::get);
    }

    private boolean live() {
        return current != null && clock.millis() < deadlineMillis;
    }
}
